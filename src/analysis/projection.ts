// Projections of a run's vectors to 2-D: PCA (exact), UMAP (umap.ts) and t-SNE (druidjs, exact
// gradients).
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { TSNE } from '@saehrimnir/druidjs';
import { unitRows } from './nearest-neighbours.ts';
import { pcaProjection } from './pca.ts';
import { ProjectionError } from './projection-error.ts';
import { type UmapParams, umap } from './umap.ts';

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

function checkCancel(signal: AbortSignal | undefined, what: string): void {
  // named as the platform names an abort, so every transport reports it as a cancellation
  if (signal?.aborted) throw new DOMException(`${what} cancelled`, 'AbortError');
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
