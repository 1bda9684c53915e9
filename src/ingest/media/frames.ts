import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import type { Importer } from '../types.ts';
import { type FrameShape, readRawFrame } from './decode-image.ts';
import { type ClipFolder, collectClipFolders, IMAGE_EXTENSIONS } from './media-files.ts';
import { MediaWriter } from './media-writer.ts';
import { onCorruptOption, readOrSkip } from './unreadable.ts';

const options = z.object({
  /** 'fail' stops at the first unreadable frame; 'skip' leaves its clip out and notes it */
  onCorrupt: onCorruptOption,
});

export interface FrameClip {
  /** raw u8 tensor [frames, height, width, channels] */
  pixels: Buffer;
  shape: FrameShape;
  frames: number;
  /** names of the frames that had another size than the first and were resized to it */
  resized: string[];
}

/** Decodes a clip's frames in order into one tensor, at the first frame's size and colour. */
export async function readFrameClip(clip: ClipFolder, signal: AbortSignal): Promise<FrameClip> {
  const parts: Buffer[] = [];
  const resized: string[] = [];
  let shape: FrameShape | undefined;
  for (const file of clip.frames) {
    if (signal.aborted) break;
    const frame = await readRawFrame(file, await readFile(file), shape);
    shape = frame.shape;
    if (frame.resized) resized.push(basename(file));
    parts.push(frame.pixels);
  }
  return { pixels: Buffer.concat(parts), shape: shape!, frames: parts.length, resized };
}

/**
 * Clips stored as folders of frame images (`root/<clip>/0001.png ...`, or `root/<class>/<clip>/...`
 * with the class from the parent folder). Frames are read in natural order (frame2 before frame10)
 * and stored decoded, `raw-u8` [frames, h, w, c], so training reads a clip without decoding.
 * Frames whose size differs from the first are resized to it; the clip's `resizedFrames`
 * attribute lists them. A clip with an unreadable frame fails the import, or under onCorrupt
 * 'skip' is left out whole (noted with the frame's file).
 */
export const framesImporter: Importer = {
  format: 'frames',
  kind: 'videos',
  description: 'a folder of frame images per clip (optionally inside a folder per class)',
  async detect(paths) {
    const clips = await collectClipFolders(paths, IMAGE_EXTENSIONS).catch(() => []);
    return clips.length > 0 && clips.every((clip) => clip.frames.length > 1);
  },
  async run(paths, ctx) {
    const { onCorrupt } = options.parse(ctx.options);
    const clips = await collectClipFolders(paths, IMAGE_EXTENSIONS);
    const writer = new MediaWriter(
      ctx,
      'clip',
      clips.reduce((sum, clip) => sum + clip.size, 0),
    );
    for (const clip of clips) {
      writer.checkCancelled();
      const read = await readOrSkip(ctx, onCorrupt, () => readFrameClip(clip, ctx.signal));
      if (!read) {
        writer.advance(clip.size, clip.path);
        continue;
      }
      const { pixels, shape, frames, resized } = read;
      const { key, classLabel } = clip;
      writer.add(
        { key, classLabel, attributes: resized.length > 0 ? { resizedFrames: resized } : null },
        { key, bytes: pixels, encoding: 'raw-u8', ...shape, frames },
      );
      writer.advance(clip.size, clip.path);
    }
    writer.finish(paths.join(', '));
  },
};
