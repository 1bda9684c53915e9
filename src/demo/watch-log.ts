// An interaction log with planted sequential structure: items are episodes of series grouped
// in genres, users mostly watch the next episode of what they watched last and stay in their
// favourite genres, with popularity skew and noise. The next item is therefore predictable from
// the previous ones: the ground truth for next-item recommendation (BERT4Rec).
import { writeFile } from 'node:fs/promises';
import { Random, ZipfSampler } from './random.ts';
import type { DemoSpec } from './spec.ts';

type Spec = DemoSpec['interactionLog'];

export interface Episode {
  id: number;
  title: string;
  genre: number;
  series: number;
  part: number;
}
export interface Interaction {
  user: number;
  item: number;
  /** seconds since 1970 */
  time: number;
  rating: number;
}
export interface WatchLog {
  genres: string[];
  items: Episode[];
  interactions: Interaction[];
}

const genreNames = [
  'Mystery',
  'Science Fiction',
  'Comedy',
  'Drama',
  'Documentary',
  'Animation',
  'Thriller',
  'Romance',
];
const start2023 = Date.UTC(2023, 0, 1) / 1000;
const day = 86_400;

export function generateWatchLog(spec: Spec, seed: number): WatchLog {
  const random = Random.forPart(seed, 'watch log');
  const genres = Array.from({ length: spec.genres }, (_, g) => genreNames[g] ?? `Genre ${g + 1}`);
  const items: Episode[] = [];
  // series[genre][k] = item ids of that series in episode order
  const series = genres.map((genre, g) =>
    Array.from({ length: spec.seriesPerGenre }, (_, k) => {
      const length = random.between(spec.seriesLength[0], spec.seriesLength[1]);
      return Array.from({ length }, (_, part) => {
        const id = items.length + 1;
        items.push({ id, title: `${genre} series ${k + 1}, episode ${part + 1}`, genre: g, series: k, part });
        return id;
      });
    }),
  );
  const seriesRank = new ZipfSampler(spec.seriesPerGenre, spec.popularityExponent);

  const interactions: Interaction[] = [];
  for (let user = 1; user <= spec.users; user++) {
    const favourites = [random.int(genres.length), random.int(genres.length)];
    const length = random.between(spec.sessionLength[0], spec.sessionLength[1]);
    let time = start2023 + random.int(330 * day);
    let current: { genre: number; series: number; part: number } | null = null;
    for (let step = 0; step < length; step++) {
      if (
        current &&
        current.part + 1 < series[current.genre][current.series].length &&
        random.chance(spec.followSeries)
      ) {
        current = { genre: current.genre, series: current.series, part: current.part + 1 };
      } else {
        const genre = random.chance(spec.stayInGenre) ? random.pick(favourites) : random.int(genres.length);
        const k = seriesRank.sample(random);
        // Most people start a series at its first episode; some jump in anywhere.
        const part = random.chance(0.75) ? 0 : random.int(series[genre][k].length);
        current = { genre, series: k, part };
      }
      const item = series[current.genre][current.series][current.part];
      const liked = favourites.includes(current.genre);
      const rating = Math.min(5, Math.max(1, Math.round((liked ? 4 : 3) + random.normal() * 0.8)));
      interactions.push({ user, item, time, rating });
      time += 600 + Math.floor(-Math.log(1 - random.next()) * day);
    }
  }
  // A real log is written in time order, users interleaved; ties keep generation order.
  interactions.sort((a, b) => a.time - b.time);
  return { genres, items, interactions };
}

/** Writes the log as a CSV with a header, the generic interaction-log layout. */
export async function writeWatchLogCsv(log: WatchLog, file: string): Promise<void> {
  const rows = log.interactions.map((i) => `u${i.user},i${i.item},${i.time},${i.rating}`);
  await writeFile(file, `user_id,item_id,timestamp,rating\n${rows.join('\n')}\n`);
}
