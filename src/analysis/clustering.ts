// Clustering a run's original vectors: k-means (src/eval's, seeded k-means++), Louvain on the
// k-nearest-neighbour graph (graphology-communities-louvain) and HDBSCAN on the same graph.
import { UndirectedGraph } from 'graphology';
import louvainModule from 'graphology-communities-louvain';
import { kMeans } from '../eval/kmeans.ts';
import { seededRandom, shuffle } from '../eval/random.ts';
import { hdbscan } from './hdbscan.ts';
import { neighbourGraph, unitRows } from './nearest-neighbours.ts';

// a CommonJS module whose typings declare an ES default: under Node the default import is the function
const louvain = louvainModule as unknown as typeof louvainModule.default;

export type ClusteringRequest =
  | { method: 'kmeans'; params: { k?: number; seed: number } }
  | { method: 'louvain'; params: { neighbours: number; resolution: number; seed: number } }
  | { method: 'hdbscan'; params: { minClusterSize: number; minSamples: number; neighbours: number } };

export interface ClusteringResult {
  /** cluster per row; -1 is HDBSCAN's noise */
  clusters: Int32Array;
  /** what was chosen on the user's behalf (k-means' k when suggested) */
  chosen: Record<string, number>;
}

/** Points k-means' k is suggested from: silhouettes cost n^2 distances. */
const silhouetteSample = 2000;

/** Mean silhouette (Rousseeuw 1987) of a labelling of the rows of x. */
export function silhouette(x: Float64Array, dim: number, labels: Int32Array, k: number): number {
  const n = labels.length;
  const sums = new Float64Array(k);
  const sizes = new Float64Array(k);
  for (const l of labels) sizes[l]++;
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      let s = 0;
      for (let d = 0; d < dim; d++) s += (x[i * dim + d] - x[j * dim + d]) ** 2;
      sums[labels[j]] += Math.sqrt(s);
    }
    const own = labels[i];
    if (sizes[own] <= 1) continue;
    const a = sums[own] / (sizes[own] - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[c] / sizes[c]);
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

/** The k in 2..maxK whose k-means clustering of a seeded sample has the highest mean silhouette. */
export function suggestK(x: Float64Array, dim: number, seed: number, maxK = 15): number {
  const n = x.length / dim;
  const rows = shuffle(
    Int32Array.from({ length: n }, (_, i) => i),
    seededRandom(seed),
  ).subarray(0, Math.min(n, silhouetteSample));
  const sample = new Float64Array(rows.length * dim);
  rows.forEach((r, i) => {
    sample.set(x.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  let bestK = 1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let k = 2; k <= Math.min(maxK, rows.length - 1); k++) {
    const { assignments } = kMeans(sample, dim, k, seed);
    const score = silhouette(sample, dim, assignments, k);
    if (score > bestScore) {
      bestScore = score;
      bestK = k;
    }
  }
  return bestK;
}

function louvainClusters(
  vectors: Float32Array,
  dim: number,
  neighbours: number,
  resolution: number,
  seed: number,
) {
  const n = vectors.length / dim;
  const { k, rows, distances } = neighbourGraph(vectors, dim, 'cosine', Math.min(neighbours, n - 1));
  const graph = new UndirectedGraph({ allowSelfLoops: false });
  for (let i = 0; i < n; i++) graph.addNode(i);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const other = rows[i * k + j];
      if (other < 0) continue;
      // cosine similarity as the weight; a pair both sides list is one edge
      const similarity = Math.max(1e-6, 1 - distances[i * k + j]);
      if (!graph.hasEdge(i, other)) graph.addEdge(i, other, { weight: similarity });
    }
  }
  const communities = louvain(graph, { resolution, rng: seededRandom(seed), getEdgeWeight: 'weight' });
  return Int32Array.from({ length: n }, (_, i) => communities[String(i)]);
}

/** Clusters the rows of `vectors` (n x dim). */
export function cluster(vectors: Float32Array, dim: number, request: ClusteringRequest): ClusteringResult {
  const n = vectors.length / dim;
  if (n < 2) throw new RangeError(`clustering needs at least 2 points, got ${n}`);
  if (request.method === 'kmeans') {
    const x = Float64Array.from(vectors);
    const k = request.params.k ?? suggestK(x, dim, request.params.seed);
    const { assignments } = kMeans(x, dim, Math.min(k, n), request.params.seed);
    return { clusters: assignments, chosen: { k } };
  }
  if (request.method === 'louvain') {
    const { neighbours, resolution, seed } = request.params;
    const clusters = louvainClusters(vectors, dim, neighbours, resolution, seed);
    return { clusters, chosen: { clusters: new Set(clusters).size } };
  }
  const { minClusterSize, minSamples, neighbours } = request.params;
  const graph = neighbourGraph(
    unitRows(vectors, dim),
    dim,
    'euclidean',
    Math.min(Math.max(neighbours, minSamples), n - 1),
  );
  const clusters = hdbscan(graph, n, { minClusterSize, minSamples });
  let found = 0;
  let noise = 0;
  for (const c of clusters) {
    if (c < 0) noise++;
    else found = Math.max(found, c + 1);
  }
  return { clusters, chosen: { clusters: found, noise } };
}
