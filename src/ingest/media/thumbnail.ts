// A stored image, or a clip's first frame (its poster frame), as a small picture a page can show:
// what the explorer's tooltip draws for an image or video dataset. One picture is asked for per
// hovered point, so it is made on demand rather than stored for every entity at import.
import sharp, { type Sharp } from 'sharp';
import type { StoredMedia } from '../../workspace/types.ts';

/** Longest side of a thumbnail in pixels: larger images are scaled down to it, smaller ones kept. */
export const thumbnailSide = 128;

export interface Thumbnail {
  /** image/png, or the stored image's own type when its bytes are served as they are */
  mime: string;
  bytes: Uint8Array;
  width: number;
  height: number;
}

/** Encodings a browser draws as they are stored. */
const drawable = new Set(['png', 'jpeg', 'webp']);

/** The size of an image of width x height brought within `side` pixels, aspect kept. */
function fitted(width: number, height: number, side: number): { width: number; height: number } {
  const scale = Math.min(1, side / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

export async function thumbnailOf(media: StoredMedia, side = thumbnailSide): Promise<Thumbnail> {
  const size = fitted(media.width, media.height, side);
  if (
    drawable.has(media.encoding) &&
    media.frames === 1 &&
    size.width === media.width &&
    size.height === media.height
  ) {
    return { mime: `image/${media.encoding}`, bytes: media.bytes, ...size };
  }
  let image: Sharp;
  if (media.encoding === 'raw-u8') {
    // [frames, height, width, channels]: the first frame is the clip's poster
    const { width, height, channels } = media;
    const frame = media.bytes.subarray(0, width * height * channels);
    image = sharp(frame, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } });
    // sharp would write a raw single channel as RGB
    if (channels === 1) image = image.toColourspace('b-w');
  } else {
    // an animated GIF or WebP: sharp reads its first page
    image = sharp(media.bytes, { failOn: 'error' });
  }
  if (size.width !== media.width || size.height !== media.height) {
    image = image.resize(size.width, size.height, { fit: 'fill' });
  }
  const bytes = await image.png().toBuffer();
  return { mime: 'image/png', bytes, ...size };
}
