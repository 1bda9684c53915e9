import type { Importer } from '../types.ts';
import { digitsCsvImporter } from './digits-csv.ts';
import { ffmpegImporter } from './ffmpeg.ts';
import { folderImporter } from './folder.ts';
import { framesImporter } from './frames.ts';
import { gifImporter } from './gif.ts';
import { idxImporter } from './idx.ts';

/** Image and video importers, in the order auto-detection should try them (most specific first). */
export const mediaImporters: Importer[] = [
  idxImporter,
  digitsCsvImporter,
  gifImporter,
  ffmpegImporter,
  framesImporter,
  folderImporter,
];
