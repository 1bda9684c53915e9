// What the explorer derives from a projection's points without drawing anything: the categories a
// colouring makes (with palette and counts) and counts per category of a selection.
// Pure functions over plain arrays, so 1M points cost arrays, not objects.

/** Tableau 20: distinct on white, and the order people expect from other tools. */
export const palette = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#a0cbe8',
  '#ffbe7d',
  '#ff9d9a',
  '#86bcb6',
  '#8cd17d',
  '#f1ce63',
  '#d4a6c8',
  '#fabfd2',
  '#d7b5a6',
  '#79706e',
];
/** Colour of the categories beyond the palette and of missing values. */
export const otherColour = '#9aa1ad';
/** Colour of points outside the selection: greyed, still there to give context. */
export const greyColour = '#dcdfe4';

export interface Category {
  name: string;
  colour: string;
  count: number;
}

export interface Colouring {
  /** the most frequent categories first; 'other' last when there are more than the palette */
  categories: Category[];
  /** each point's index into categories */
  of: Uint16Array;
}

/** Categories of the values, largest first; missing values and the long tail share 'other'. */
export function colouringOf(values: readonly (string | null)[]): Colouring {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'en', { numeric: true }));
  const named = ranked.slice(0, palette.length);
  const index = new Map(named.map(([name], i) => [name, i]));
  const categories: Category[] = named.map(([name, count], i) => ({ name, colour: palette[i], count }));
  const otherAt = categories.length;
  let others = 0;
  const of = new Uint16Array(values.length);
  values.forEach((v, i) => {
    const at = v === null ? undefined : index.get(v);
    if (at === undefined) {
      of[i] = otherAt;
      others++;
    } else of[i] = at;
  });
  if (others > 0)
    categories.push({
      name: ranked.length > named.length ? 'other' : 'none',
      colour: otherColour,
      count: others,
    });
  return { categories, of };
}

/** How many selected points fall in each category, largest first, empty ones left out. */
export function countsOf(selected: Iterable<number>, colouring: Colouring): Category[] {
  const counts = new Array<number>(colouring.categories.length).fill(0);
  for (const i of selected) counts[colouring.of[i]]++;
  return colouring.categories
    .map((c, k) => ({ ...c, count: counts[k] }))
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count);
}

/**
 * Where each category sits on the plot: the mean position of its points, with its name; the
 * long-tail category ('other', 'none') has no single place and is left out.
 */
export function centresOf(
  colouring: Colouring,
  x: readonly number[],
  y: readonly number[],
): { category: number; x: number; y: number }[] {
  const k = colouring.categories.length;
  const sums = new Float64Array(3 * k);
  for (let i = 0; i < x.length; i++) {
    const c = colouring.of[i];
    sums[3 * c] += x[i];
    sums[3 * c + 1] += y[i];
    sums[3 * c + 2]++;
  }
  const centres: { category: number; x: number; y: number }[] = [];
  for (let c = 0; c < k; c++) {
    if (sums[3 * c + 2] === 0 || colouring.categories[c].colour === otherColour) continue;
    centres.push({ category: c, x: sums[3 * c] / sums[3 * c + 2], y: sums[3 * c + 1] / sums[3 * c + 2] });
  }
  return centres;
}

/** Smallest and largest point sizes (pixels) when sized by a count. */
export const sizeRange = [2, 10] as const;

/**
 * Point sizes for counts (degrees, interactions): on a log scale, since such counts are heavy-tailed
 * and a linear scale leaves all but a few hubs at the smallest size.
 */
export function sizesOf(counts: readonly number[]): Float32Array {
  let top = 0;
  for (const c of counts) if (c > top) top = c;
  const [small, large] = sizeRange;
  const scale = top > 0 ? (large - small) / Math.log1p(top) : 0;
  return Float32Array.from(counts, (c) => small + scale * Math.log1p(Math.max(0, c)));
}
