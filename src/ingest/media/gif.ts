import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { z } from 'zod';
import type { Importer } from '../types.ts';
import { InputError } from '../types.ts';
import { collectMediaFiles } from './media-files.ts';
import { MediaWriter } from './media-writer.ts';
import { onCorruptOption, readOrSkip } from './unreadable.ts';

const CLIP_EXTENSIONS = ['.gif', '.webp'];

const options = z.object({
  /** 'fail' stops at the first unreadable clip; 'skip' imports the rest and notes what was skipped */
  onCorrupt: onCorruptOption,
});

export interface DecodedClip {
  /** raw u8 tensor [frames, height, width, 3] */
  pixels: Buffer;
  frames: number;
  width: number;
  height: number;
  /** frames per second from the frame delays; null when the file gives none */
  fps: number | null;
}

/**
 * Decodes every frame of an animated GIF or WebP. libvips composes each frame onto the full
 * canvas (disposal included) and stacks the pages vertically, which is exactly a
 * [frames, h, w, c] tensor; transparency is flattened onto black.
 */
export async function decodeAnimation(path: string, input: Uint8Array): Promise<DecodedClip> {
  try {
    const image = sharp(input, { animated: true, failOn: 'error' });
    const meta = await image.metadata();
    const frames = meta.pages ?? 1;
    const height = meta.pageHeight ?? meta.height;
    const { data, info } = await image
      .flatten({ background: '#000000' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== frames * height * info.width * 3) {
      throw new Error(`decoded ${data.length} bytes for ${frames} frames of ${info.width}x${height}`);
    }
    const delays = meta.delay ?? [];
    const seconds = delays.reduce((sum, ms) => sum + ms, 0) / 1000;
    return {
      pixels: data,
      frames,
      width: info.width,
      height,
      fps: delays.length === frames && seconds > 0 ? frames / seconds : null,
    };
  } catch (error) {
    throw new InputError(path, null, null, `not a readable animation: ${(error as Error).message}`);
  }
}

/**
 * Animated GIF/WebP clips, one `clip` entity each, class from the folder when the layout is
 * folder-per-class. Frames are stored decoded (`raw-u8`, [frames, h, w, 3]): a model reads a
 * clip every epoch, and a BLOB read is far cheaper than re-decoding a GIF, at the price of a
 * larger workspace (a 16-frame 340x510 clip: 8.3 MB against 253 kB of GIF).
 */
export const gifImporter: Importer = {
  format: 'gif',
  kind: 'videos',
  description: 'animated GIF or WebP clips (a file per clip, optionally a folder per class)',
  async detect(paths) {
    const files = await collectMediaFiles(paths, CLIP_EXTENSIONS).catch(() => []);
    return files.some((file) => file.path.toLowerCase().endsWith('.gif'));
  },
  async run(paths, ctx) {
    const { onCorrupt } = options.parse(ctx.options);
    const sources = await collectMediaFiles(paths, CLIP_EXTENSIONS);
    const writer = new MediaWriter(
      ctx,
      'clip',
      sources.reduce((sum, source) => sum + source.size, 0),
    );
    for (const { path, key, classLabel, size } of sources) {
      writer.checkCancelled();
      const clip = await readOrSkip(ctx, onCorrupt, async () => decodeAnimation(path, await readFile(path)));
      if (!clip) {
        writer.advance(size, path);
        continue;
      }
      writer.add(
        { key, classLabel, attributes: { fps: clip.fps } },
        {
          key,
          bytes: clip.pixels,
          encoding: 'raw-u8',
          width: clip.width,
          height: clip.height,
          channels: 3,
          frames: clip.frames,
        },
      );
      writer.advance(size, path);
    }
    writer.finish(paths.join(', '));
  },
};
