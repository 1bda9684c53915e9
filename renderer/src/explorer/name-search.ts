// Search by name over a projection's points, made once per projection so that a keystroke costs a
// native substring search rather than a pass over a million JS strings. A scan lowercasing each
// label and key per keystroke allocated two million strings at 1M points: measured in headless
// Chromium under a load of 10 on 2 cores, 0.06-0.61 s per key and 1 s of garbage collection over
// the 12 keys of "point 999999", on a heap that already holds the plot's million nodes.
//
// Every point's lowercased label and key sit in one string, each name after a newline; `starts`
// says where each point's names begin. "Starts with q" is then `indexOf('\n' + q)`, "contains q"
// is `indexOf(q)`, and a hit's point is a binary search in `starts`.

export interface NameIndex {
  /** '\n' + label + '\n' + key of each point, lowercased, in point order */
  text: string;
  /** where each point's names begin in text; one more entry, the text's length, at the end */
  starts: Int32Array;
}

// a name holding a newline would make a false start; names are one line in every importer
const clean = (name: string) => name.toLowerCase().replaceAll('\n', ' ');

export function nameIndex(keys: readonly string[], labels: readonly (string | null)[]): NameIndex {
  const parts: string[] = new Array(keys.length);
  const starts = new Int32Array(keys.length + 1);
  let at = 0;
  for (let i = 0; i < keys.length; i++) {
    // lowercasing can change a name's length ('İ'), so offsets come from the lowercased names
    const part = `\n${clean(labels[i] ?? '')}\n${clean(keys[i])}`;
    parts[i] = part;
    starts[i] = at;
    at += part.length;
  }
  starts[keys.length] = at;
  return { text: parts.join(''), starts };
}

const built = new WeakMap<readonly string[], NameIndex>();

/** The index of a projection's points, made on first use and kept while its keys array lives. */
export function namesOf(keys: readonly string[], labels: readonly (string | null)[]): NameIndex {
  let index = built.get(keys);
  if (!index) {
    index = nameIndex(keys, labels);
    built.set(keys, index);
  }
  return index;
}

/** The point whose names hold text position `position`. */
function pointAt(index: NameIndex, position: number): number {
  let low = 0;
  let high = index.starts.length - 2;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (index.starts[middle] <= position) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * Points whose label or key contains the query (case-insensitive), those whose label or key starts
 * with it first, each group in point order; at most `limit`.
 */
export function searchNames(index: NameIndex, query: string, limit = 8): number[] {
  const q = clean(query.trim());
  if (q === '') return [];
  const found: number[] = [];
  const taken = new Set<number>();
  const collect = (needle: string) => {
    for (let from = 0; found.length < limit; ) {
      const hit = index.text.indexOf(needle, from);
      if (hit < 0) return;
      const point = pointAt(index, hit);
      if (!taken.has(point)) {
        taken.add(point);
        found.push(point);
      }
      // the rest of this point's names can add nothing
      from = index.starts[point + 1];
    }
  };
  collect(`\n${q}`);
  collect(q);
  return found;
}
