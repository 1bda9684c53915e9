import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Importer } from '../types.ts';
import { readStillImage } from './decode-image.ts';
import { collectMediaFiles, IMAGE_EXTENSIONS } from './media-files.ts';
import { MediaWriter } from './media-writer.ts';
import { onCorruptOption, readOrSkip } from './unreadable.ts';

const options = z.object({
  /** 'fail' stops at the first unreadable image; 'skip' imports the rest and records what was skipped */
  onCorrupt: onCorruptOption,
});

/** Images decoded at once: sharp decodes on libuv's thread pool, so a few in flight keep it busy. */
const IN_FLIGHT = 4;

/**
 * Folder-per-class images (PNG/JPEG/WebP): `root/<class>/**.png` becomes an `image` entity keyed
 * by its path under root, with the class from the first folder level. Sizes and channel counts
 * may differ between images; each media row records its own.
 */
export const folderImporter: Importer = {
  format: 'folder',
  kind: 'images',
  description: 'a folder per class of PNG/JPEG/WebP images',
  async detect(paths) {
    const files = await collectMediaFiles(paths, IMAGE_EXTENSIONS).catch(() => []);
    return files.length > 0 && files.some((file) => file.classLabel != null);
  },
  async run(paths, ctx) {
    const { onCorrupt } = options.parse(ctx.options);
    const sources = await collectMediaFiles(paths, IMAGE_EXTENSIONS);
    const writer = new MediaWriter(
      ctx,
      'image',
      sources.reduce((sum, source) => sum + source.size, 0),
    );
    for (let start = 0; start < sources.length; start += IN_FLIGHT) {
      writer.checkCancelled();
      const batch = sources.slice(start, start + IN_FLIGHT);
      const images = await Promise.all(
        batch.map((source) =>
          readOrSkip(ctx, onCorrupt, async () => readStillImage(source.path, await readFile(source.path))),
        ),
      );
      images.forEach((image, i) => {
        const source = batch[i];
        if (image) {
          const { key, classLabel } = source;
          writer.add({ key, classLabel }, { key, ...image, frames: 1 });
        }
        writer.advance(source.size, source.path);
      });
    }
    writer.finish(paths.join(', '));
  },
};
