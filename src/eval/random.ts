// Seeded randomness for evaluation: splits and k-means initialisations must be reproducible from
// the seed a report names.

/** mulberry32: uniform in [0, 1), 2^32 period per seed; ample for shuffles and initial centers. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let r = Math.imul(state ^ (state >>> 15), 1 | state);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle in place. */
export function shuffle<T extends { length: number; [k: number]: number }>(
  values: T,
  random: () => number,
): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = values[i];
    values[i] = values[j];
    values[j] = t;
  }
  return values;
}
