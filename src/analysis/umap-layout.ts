// One epoch of UMAP's layout optimisation over a range of edges (McInnes, Healy, Melville 2018,
// section 3 and appendix; umap-learn's `_optimize_layout_euclidean_single_epoch`): each edge is
// sampled in proportion to its weight, pulls its two ends together, then pushes its head away from
// a few uniformly drawn points. Everything lives in typed arrays so that several threads can share
// one layout (Hogwild, as umap-learn's parallel mode: threads own disjoint edges and race on points).

/** The fuzzy graph as umap-learn's COO matrix: both directions of each pair, weights as schedules. */
export interface LayoutEdges {
  head: Int32Array;
  tail: Int32Array;
  /** epochs between two samples of an edge: n_epochs / (n_epochs * weight / max weight) */
  epochsPerSample: Float64Array;
}

/** Per-edge sampling clocks; only the thread that owns an edge touches its entries. */
export interface LayoutClocks {
  nextSample: Float64Array;
  nextNegative: Float64Array;
}

export interface LayoutCurve {
  /** the low-dimensional similarity is 1 / (1 + a d^(2b)), a and b fitted from min_dist */
  a: number;
  b: number;
  /** weight of the repulsive step (umap-learn's repulsion_strength) */
  gamma: number;
  /** negative samples per positive sample */
  negativeRate: number;
}

/** umap-learn clips each gradient component to [-4, 4] so that no single step throws a point away. */
const CLIP = 4;
const clip = (g: number) => Math.max(-CLIP, Math.min(CLIP, g));

/**
 * Clocks at their start: an edge first fires after its own period, its negatives after a fifth of
 * it (negativeRate 5), as umap-learn sets them.
 */
export function startClocks(edges: LayoutEdges, negativeRate: number, buffer?: SharedArrayBuffer) {
  const m = edges.head.length;
  const bytes = buffer ?? new ArrayBuffer(2 * m * 8);
  const clocks: LayoutClocks = {
    nextSample: new Float64Array(bytes, 0, m),
    nextNegative: new Float64Array(bytes, m * 8, m),
  };
  for (let i = 0; i < m; i++) {
    clocks.nextSample[i] = edges.epochsPerSample[i];
    clocks.nextNegative[i] = edges.epochsPerSample[i] / negativeRate;
  }
  return clocks;
}

/**
 * Runs epoch `epoch` (0-based, of `epochs`) over edges [begin, end) of a 2-D layout, in place.
 * `rng[slot]` is this thread's xorshift32 state; it is read at the start and written back at the end.
 */
export function layoutEpoch(
  embedding: Float32Array,
  edges: LayoutEdges,
  clocks: LayoutClocks,
  curve: LayoutCurve,
  epoch: number,
  epochs: number,
  begin: number,
  end: number,
  rng: Uint32Array,
  slot: number,
): void {
  const { head, tail, epochsPerSample } = edges;
  const { nextSample, nextNegative } = clocks;
  const { a, b, gamma, negativeRate } = curve;
  const n = embedding.length >> 1;
  const alpha = 1 - epoch / epochs;
  const attract = -2 * a * b;
  const repel = 2 * gamma * b;
  const bMinus1 = b - 1;
  let state = rng[slot] | 0;
  for (let i = begin; i < end; i++) {
    if (nextSample[i] > epoch) continue;
    const j = head[i] << 1;
    const k = tail[i] << 1;
    let cx = embedding[j];
    let cy = embedding[j + 1];
    let dx = cx - embedding[k];
    let dy = cy - embedding[k + 1];
    let d2 = dx * dx + dy * dy;
    if (d2 > 0) {
      // d^(2(b-1)) once, then d^(2b) = d^2 * d^(2(b-1)); exp(y log x) is V8's pow without its
      // special cases, and measured 2-3x faster than Math.pow here
      const powB1 = Math.exp(bMinus1 * Math.log(d2));
      const coeff = (attract * powB1) / (a * powB1 * d2 + 1);
      let gx = coeff * dx;
      let gy = coeff * dy;
      gx = clip(gx) * alpha;
      gy = clip(gy) * alpha;
      cx += gx;
      cy += gy;
      embedding[k] -= gx;
      embedding[k + 1] -= gy;
    }
    const period = epochsPerSample[i];
    nextSample[i] += period;
    const negativePeriod = period / negativeRate;
    const negatives = Math.trunc((epoch - nextNegative[i]) / negativePeriod);
    for (let p = 0; p < negatives; p++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      // a uniform draw in [0, n) by multiply and shift (Lemire), cheaper than a modulo
      const o = (((state >>> 0) * n) / 4294967296) << 1;
      if (o === j) continue;
      dx = cx - embedding[o];
      dy = cy - embedding[o + 1];
      d2 = dx * dx + dy * dy;
      if (d2 <= 0) continue;
      const coeff = repel / ((0.001 + d2) * (a * Math.exp(b * Math.log(d2)) + 1));
      const gx = coeff * dx;
      const gy = coeff * dy;
      cx += clip(gx) * alpha;
      cy += clip(gy) * alpha;
    }
    nextNegative[i] += negatives * negativePeriod;
    embedding[j] = cx;
    embedding[j + 1] = cy;
  }
  rng[slot] = state;
}
