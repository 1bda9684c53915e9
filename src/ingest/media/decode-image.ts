import sharp from 'sharp';
import type { MediaRow } from '../../workspace/types.ts';
import { InputError } from '../types.ts';

export type StillImage = Pick<MediaRow, 'bytes' | 'encoding' | 'width' | 'height' | 'channels'>;

const KEPT_ENCODINGS = new Set(['png', 'jpeg', 'webp']);

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Decodes the whole image (a header alone passes for a truncated file) and keeps the original
 * bytes when they are PNG/JPEG/WebP: they are several times smaller than raw pixels and every
 * model pipeline decodes them with sharp anyway. Other formats sharp reads are stored as PNG.
 */
export async function readStillImage(path: string, input: Uint8Array): Promise<StillImage> {
  try {
    const image = sharp(input, { failOn: 'error' });
    const { format, width, height, channels } = await image.metadata();
    // The decode only proves the pixels are readable; sizes and channels come from the file itself
    // (sharp's raw output would turn greyscale into RGB).
    await image.clone().raw().toBuffer();
    const keep = format != null && KEPT_ENCODINGS.has(format);
    return {
      bytes: keep ? input : await image.png().toBuffer(),
      encoding: keep ? (format as StillImage['encoding']) : 'png',
      width,
      height,
      channels,
    };
  } catch (error) {
    throw new InputError(path, null, null, `not a readable image: ${describe(error)}`);
  }
}

/** Size and channels every frame of one clip is brought to (the first frame's). */
export interface FrameShape {
  width: number;
  height: number;
  /** 1 (greyscale) or 3 (RGB); alpha is flattened onto black, since models read opaque frames */
  channels: 1 | 3;
}

export interface RawFrame {
  pixels: Buffer;
  shape: FrameShape;
  /** true when the frame had another size than `shape` and was resized to it */
  resized: boolean;
}

/**
 * Decodes one video frame to raw u8 HWC pixels. Without a target the frame sets the clip's shape;
 * with one, the frame is resized (aspect not kept: every frame must fill the same tensor) and its
 * colour converted to match.
 */
export async function readRawFrame(path: string, input: Uint8Array, target?: FrameShape): Promise<RawFrame> {
  try {
    const image = sharp(input, { failOn: 'error' });
    const meta = await image.metadata();
    const greyscale = meta.space === 'b-w' || meta.space === 'grey16';
    const shape: FrameShape = target ?? {
      width: meta.autoOrient?.width ?? meta.width,
      height: meta.autoOrient?.height ?? meta.height,
      channels: greyscale ? 1 : 3,
    };
    let pipeline = image.autoOrient().flatten({ background: '#000000' });
    const resized =
      (meta.autoOrient?.width ?? meta.width) !== shape.width ||
      (meta.autoOrient?.height ?? meta.height) !== shape.height;
    if (resized) pipeline = pipeline.resize(shape.width, shape.height, { fit: 'fill' });
    pipeline = pipeline.toColourspace(shape.channels === 1 ? 'b-w' : 'srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== shape.channels || data.length !== shape.width * shape.height * shape.channels) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}`);
    }
    return { pixels: data, shape, resized };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(path, null, null, `not a readable frame image: ${describe(error)}`);
  }
}
