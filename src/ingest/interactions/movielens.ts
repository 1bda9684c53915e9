import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { EntityRow } from '../../workspace/types.ts';
import { integerKey, number, timestamp } from '../read/fields.ts';
import { expandPaths, legacyEncoding } from '../read/files.ts';
import { ImportMeter } from '../read/progress.ts';
import { readRecords } from '../read/records.ts';
import { type Importer, InputError } from '../types.ts';
import { InteractionLogWriter } from './interaction-log.ts';

/** The two MovieLens rating layouts: ml-1m/10m `ratings.dat` (`::`) and ml-100k `u.data` (tabs). */
const ratingFiles: Record<string, string> = { 'ratings.dat': '::', 'u.data': '\t' };

// ml-100k's u.genre, used when the folder lacks it: u.item's 19 flags follow this order.
const ml100kGenres = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

/** Movies as item rows: title as label, genres as an attribute (movies.dat or u.item beside the ratings). */
async function readMovies(
  folder: string,
  signal: AbortSignal,
): Promise<{ file: string; rows: { row: EntityRow; line: number }[] } | null> {
  const moviesDat = join(folder, 'movies.dat');
  const uItem = join(folder, 'u.item');
  const file = existsSync(moviesDat) ? moviesDat : existsSync(uItem) ? uItem : null;
  if (file === null) return null;
  const encoding = await legacyEncoding(file);
  const rows: { row: EntityRow; line: number }[] = [];
  let genres = ml100kGenres;
  const uGenre = join(folder, 'u.genre');
  if (file === uItem && existsSync(uGenre)) {
    genres = [];
    await readRecords(
      uGenre,
      { delimiter: '|', quotes: false, signal, encoding: await legacyEncoding(uGenre) },
      (f) => {
        genres[Number(f[1])] = f[0];
      },
    );
  }
  const delimiter = file === moviesDat ? '::' : '|';
  await readRecords(file, { delimiter, quotes: false, signal, encoding }, (f, line) => {
    const key = integerKey(f[0], file, line, 'movie id');
    if (f.length < 2) throw new InputError(file, line, 'title', 'expected a title after the movie id');
    const movieGenres =
      file === moviesDat
        ? (f[2] ?? '').split('|').filter(Boolean)
        : genres.filter((_, g) => f[5 + g] === '1');
    rows.push({ row: { key, label: f[1], attributes: { genres: movieGenres } }, line });
  });
  return { file, rows };
}

/** MovieLens ratings (`ratings.dat` with `::` or `u.data` with tabs), with movie titles when beside them. */
export const movielensInteractions: Importer = {
  format: 'movielens',
  kind: 'interactions',
  description:
    'MovieLens ratings: ratings.dat ("::") or u.data (tabs), movie titles from movies.dat or u.item',
  async detect(paths) {
    const files = await expandPaths(paths).catch(() => []);
    return files.some((f) => basename(f).replace(/\.gz$/, '') in ratingFiles);
  },
  async run(paths, ctx) {
    const files = (await expandPaths(paths)).filter((f) => basename(f).replace(/\.gz$/, '') in ratingFiles);
    if (files.length === 0) {
      throw new InputError(paths[0], null, null, 'no MovieLens ratings file; expected ratings.dat or u.data');
    }
    const meter = await ImportMeter.forFiles(files, ctx);
    const log = new InteractionLogWriter(ctx.session);
    const movies = await readMovies(dirname(files[0]), ctx.signal);
    if (movies) log.describe('item', movies.rows, movies.file);
    for (const [f, file] of files.entries()) {
      const delimiter = ratingFiles[basename(file).replace(/\.gz$/, '')];
      let rows = 0;
      await readRecords(
        file,
        { delimiter, quotes: false, signal: ctx.signal, onChunk: (input) => meter.readInput(input) },
        (fields, line) => {
          if (fields.length !== 4) {
            throw new InputError(
              file,
              line,
              null,
              `expected 4 fields user${delimiter === '::' ? '::' : '<tab>'}item, rating, timestamp; found ${fields.length}`,
            );
          }
          log.add(
            integerKey(fields[0], file, line, 'user'),
            integerKey(fields[1], file, line, 'item'),
            timestamp(fields[3], file, line, 'timestamp'),
            number(fields[2], file, line, 'rating'),
          );
          rows++;
          meter.row();
        },
      );
      if (rows === 0) throw new InputError(file, null, null, 'file is empty; expected ratings');
      meter.endFile(meter.fileSizes[f]);
    }
    log.finish();
  },
};
