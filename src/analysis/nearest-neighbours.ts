// Nearest neighbours in a run's original space: exact (blocked dot products over Float32Array)
// for small runs, an HNSW index (usearch, prebuilt native binaries shipped in its npm package)
// for large ones. Both answer the same shape: k neighbours per query row, closest first.
import { availableParallelism } from 'node:os';
import usearch from 'usearch';

export type NeighbourMetric = 'cosine' | 'dot' | 'euclidean';

/** k neighbours per query row, row-major: `rows[q * k + j]`, closest first; -1 where fewer exist. */
export interface NeighbourLists {
  k: number;
  rows: Int32Array;
  /** cosine: 1 - cosine similarity; dot: -dot; euclidean: the distance. Smaller is closer. */
  distances: Float32Array;
}

/**
 * Below this many rows an all-pairs search is exact and still quick (n^2 * dim multiply-adds: ~1.6e9
 * at 5,000 x 64); above it the HNSW index answers.
 */
export const exactLimit = 5000;

/** Rows scaled to unit length (zero rows stay zero), so cosine is a dot product. */
export function unitRows(vectors: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(vectors.length);
  for (let r = 0; r < vectors.length / dim; r++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += vectors[r * dim + d] ** 2;
    const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let d = 0; d < dim; d++) out[r * dim + d] = vectors[r * dim + d] * scale;
  }
  return out;
}

/**
 * A query row outside the matrix would read past its end: the exact search then scores NaN and
 * returns no neighbours, and the HNSW search quietly looks up a zero vector.
 */
function checkQueryRows(queries: Int32Array, n: number): void {
  for (let q = 0; q < queries.length; q++) {
    const r = queries[q];
    if (r < 0 || r >= n)
      throw new RangeError(`query ${q} asks for row ${r}, but the matrix has rows 0..${n - 1}`);
  }
}

function squaredNorms(vectors: Float32Array, dim: number): Float64Array {
  const norms = new Float64Array(vectors.length / dim);
  for (let r = 0; r < norms.length; r++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += vectors[r * dim + d] ** 2;
    norms[r] = s;
  }
  return norms;
}

/**
 * Exact k nearest rows of `vectors` for each row in `queries` (row numbers into `vectors`);
 * `excludeSelf` leaves the query row out of its own list.
 */
export function exactNeighbours(
  vectors: Float32Array,
  dim: number,
  metric: NeighbourMetric,
  k: number,
  queries: Int32Array,
  excludeSelf: boolean,
): NeighbourLists {
  const n = vectors.length / dim;
  checkQueryRows(queries, n);
  const base = metric === 'cosine' ? unitRows(vectors, dim) : vectors;
  const norms = metric === 'euclidean' ? squaredNorms(vectors, dim) : undefined;
  const rows = new Int32Array(queries.length * k).fill(-1);
  const distances = new Float32Array(queries.length * k).fill(Number.POSITIVE_INFINITY);
  for (let q = 0; q < queries.length; q++) {
    const qr = queries[q];
    const at = q * k;
    for (let r = 0; r < n; r++) {
      if (excludeSelf && r === qr) continue;
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += base[qr * dim + d] * base[r * dim + d];
      const distance =
        metric === 'cosine'
          ? 1 - dot
          : metric === 'dot'
            ? -dot
            : Math.sqrt(Math.max(0, norms![qr] + norms![r] - 2 * dot));
      if (distance >= distances[at + k - 1]) continue;
      // insertion into a sorted list of k: k is small (tens), rows are many
      let j = k - 1;
      while (j > 0 && distances[at + j - 1] > distance) {
        distances[at + j] = distances[at + j - 1];
        rows[at + j] = rows[at + j - 1];
        j--;
      }
      distances[at + j] = distance;
      rows[at + j] = r;
    }
  }
  return { k, rows, distances };
}

const allCores = Math.max(1, availableParallelism());

const usearchMetric = {
  cosine: usearch.MetricKind.Cos,
  dot: usearch.MetricKind.IP,
  euclidean: usearch.MetricKind.L2sq,
};

/** An HNSW index over the rows of a matrix. */
export class ApproximateIndex {
  private readonly index: InstanceType<typeof usearch.Index>;

  /**
   * Rows are added on all cores unless told otherwise (usearch sizes its search threads at
   * insertion, and one-thread insertion of 100k rows alone took over a minute here). The graph HNSW
   * builds on several threads depends on thread timing, so results above `exactLimit` rows can
   * differ slightly between two such builds; a one-thread build repeats itself.
   */
  constructor(
    private readonly vectors: Float32Array,
    private readonly dim: number,
    readonly metric: NeighbourMetric,
    private readonly threads = allCores,
  ) {
    this.index = new usearch.Index({
      metric: usearchMetric[metric],
      dimensions: dim,
      connectivity: 16,
      expansion_add: 64,
      expansion_search: 96,
      quantization: usearch.ScalarKind.F32,
      multi: false,
    });
    const n = vectors.length / dim;
    const keys = new BigUint64Array(n);
    for (let r = 0; r < n; r++) keys[r] = BigInt(r);
    if (n > 0) this.index.add(keys, vectors, threads);
  }

  /** The k nearest rows to each query row (itself excluded when `excludeSelf`). */
  search(queries: Int32Array, k: number, excludeSelf: boolean): NeighbourLists {
    const { dim, vectors } = this;
    checkQueryRows(queries, vectors.length / dim);
    const wanted = k + (excludeSelf ? 1 : 0);
    const batch = new Float32Array(queries.length * dim);
    queries.forEach((r, q) => {
      batch.set(vectors.subarray(r * dim, (r + 1) * dim), q * dim);
    });
    const found = this.index.search(batch, wanted, this.threads);
    const rows = new Int32Array(queries.length * k).fill(-1);
    const distances = new Float32Array(queries.length * k).fill(Number.POSITIVE_INFINITY);
    for (let q = 0; q < queries.length; q++) {
      let j = 0;
      // one query comes back as Matches, without per-query counts
      const count = found instanceof usearch.BatchMatches ? Number(found.counts[q]) : found.keys.length;
      for (let m = 0; m < count && j < k; m++) {
        const row = Number(found.keys[q * wanted + m]);
        if (excludeSelf && row === queries[q]) continue;
        const raw = found.distances[q * wanted + m];
        rows[q * k + j] = row;
        // usearch reports 1 - dot for 'ip' and the squared distance for 'l2sq'
        distances[q * k + j] =
          this.metric === 'dot' ? raw - 1 : this.metric === 'euclidean' ? Math.sqrt(Math.max(0, raw)) : raw;
        j++;
      }
    }
    return { k, rows, distances };
  }
}

/**
 * k nearest rows for every row (itself excluded): exact up to `exactLimit` rows, HNSW above (built
 * and searched on `threads` threads).
 */
export function neighbourGraph(
  vectors: Float32Array,
  dim: number,
  metric: NeighbourMetric,
  k: number,
  threads = allCores,
): NeighbourLists {
  const n = vectors.length / dim;
  const all = Int32Array.from({ length: n }, (_, r) => r);
  if (n <= exactLimit) return exactNeighbours(vectors, dim, metric, k, all, true);
  return new ApproximateIndex(vectors, dim, metric, threads).search(all, k, true);
}
