// Projections of a run's vectors to 2-D: PCA (exact), UMAP (umap-js, fed a kNN graph from
// nearest-neighbours.ts instead of its own NN-descent) and t-SNE (druidjs, exact gradients).
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { TSNE } from '@saehrimnir/druidjs';
import { UMAP } from 'umap-js';
import { seededRandom } from '../eval/random.ts';
import { neighbourGraph, unitRows } from './nearest-neighbours.ts';
import { pcaProjection } from './pca.ts';

export interface UmapParams {
  neighbours: number;
  minDist: number;
  metric: 'cosine' | 'euclidean';
  /** optimisation epochs; umap-learn's default (200 above 10k points, 500 below) when absent */
  epochs?: number;
  seed: number;
}

export interface TsneParams {
  perplexity: number;
  iterations: number;
  metric: 'cosine' | 'euclidean';
  seed: number;
}

export type ProjectionRequest =
  | { method: 'pca'; params: Record<string, never> }
  | { method: 'umap'; params: UmapParams }
  | { method: 'tsne'; params: TsneParams };

export interface ProjectionProgress {
  stage: 'neighbours' | 'layout';
  done: number;
  total: number;
}

export interface ProjectionHooks {
  progress?: (event: ProjectionProgress) => void;
  signal?: AbortSignal;
}

/**
 * t-SNE through druidjs keeps the full n x n affinity matrix in float64: 10k points are 800 MB.
 * Above this the user is pointed at UMAP.
 */
export const tsneLimit = 10_000;

export class ProjectionError extends Error {
  override name = 'ProjectionError';
}

function checkCancel(signal: AbortSignal | undefined, what: string): void {
  // named as the platform names an abort, so every transport reports it as a cancellation
  if (signal?.aborted) throw new DOMException(`${what} cancelled`, 'AbortError');
}

async function umap(vectors: Float32Array, dim: number, p: UmapParams, hooks: ProjectionHooks) {
  const n = vectors.length / dim;
  if (n <= p.neighbours) {
    throw new ProjectionError(`UMAP with ${p.neighbours} neighbours needs more than ${n} points`);
  }
  hooks.progress?.({ stage: 'neighbours', done: 0, total: n });
  // UMAP counts each point as its own first neighbour (distance 0)
  const graph = neighbourGraph(vectors, dim, p.metric, p.neighbours - 1);
  hooks.progress?.({ stage: 'neighbours', done: n, total: n });
  checkCancel(hooks.signal, 'UMAP');
  const indices: number[][] = new Array(n);
  const distances: number[][] = new Array(n);
  const k = graph.k;
  for (let r = 0; r < n; r++) {
    const ids = [r];
    const ds = [0];
    for (let j = 0; j < k; j++) {
      const other = graph.rows[r * k + j];
      // a missing neighbour (HNSW found fewer) repeats the point itself, which UMAP weighs as nothing
      ids.push(other < 0 ? r : other);
      ds.push(other < 0 ? 0 : Math.max(0, graph.distances[r * k + j]));
    }
    indices[r] = ids;
    distances[r] = ds;
  }
  const model = new UMAP({
    nNeighbors: p.neighbours,
    minDist: p.minDist,
    nEpochs: p.epochs,
    random: seededRandom(p.seed),
  });
  model.setPrecomputedKNN(indices, distances);
  // with a precomputed kNN graph umap-js reads only the number of rows
  const epochs = model.initializeFit(Array.from({ length: n }, () => []));
  for (let epoch = 0; epoch < epochs; epoch++) {
    model.step();
    if (epoch % 5 === 4 || epoch === epochs - 1) {
      hooks.progress?.({ stage: 'layout', done: epoch + 1, total: epochs });
      // the cancel message reaches a worker only between tasks
      await yieldToEvents();
      checkCancel(hooks.signal, 'UMAP');
    }
  }
  const xy = new Float32Array(n * 2);
  model.getEmbedding().forEach(([x, y], r) => {
    xy[2 * r] = x;
    xy[2 * r + 1] = y;
  });
  return xy;
}

async function tsne(vectors: Float32Array, dim: number, p: TsneParams, hooks: ProjectionHooks) {
  const n = vectors.length / dim;
  if (n > tsneLimit) {
    throw new ProjectionError(
      `t-SNE here is exact and holds an n x n matrix: ${n} points exceed its limit of ${tsneLimit}; use UMAP`,
    );
  }
  if (n < 4) throw new ProjectionError(`t-SNE needs at least 4 points, got ${n}`);
  // on unit vectors the squared euclidean distance is 2 - 2 cos: same neighbours as cosine
  const x = p.metric === 'cosine' ? unitRows(vectors, dim) : vectors;
  const rows = Array.from({ length: n }, (_, r) => Array.from(x.subarray(r * dim, (r + 1) * dim)));
  const model = new TSNE(rows, { perplexity: Math.min(p.perplexity, (n - 1) / 3), d: 2, seed: p.seed });
  let iteration = 0;
  let points: number[][] = [];
  // the generator frees druidjs's WebAssembly buffers when the loop ends or breaks
  for (const step of model.generator(p.iterations)) {
    iteration++;
    points = step as number[][];
    if (iteration % 10 === 0 || iteration === p.iterations) {
      hooks.progress?.({ stage: 'layout', done: iteration, total: p.iterations });
      await yieldToEvents();
      checkCancel(hooks.signal, 't-SNE');
    }
  }
  const xy = new Float32Array(n * 2);
  points.forEach((point, r) => {
    xy[2 * r] = point[0];
    xy[2 * r + 1] = point[1];
  });
  return xy;
}

/** x0, y0, x1, y1... for the rows of `vectors` (n x dim). */
export async function project(
  vectors: Float32Array,
  dim: number,
  request: ProjectionRequest,
  hooks: ProjectionHooks = {},
): Promise<Float32Array> {
  if (request.method === 'pca') return pcaProjection(vectors, dim);
  if (request.method === 'umap') return umap(vectors, dim, request.params, hooks);
  return tsne(vectors, dim, request.params, hooks);
}
