// UMAP (McInnes, Healy, Melville 2018) as umap-learn computes it, in typed arrays: the kNN graph
// from the HNSW index of nearest-neighbours.ts, the fuzzy simplicial set (smooth kNN distances,
// fuzzy union), a PCA start, and the negative-sampling layout of umap-layout.ts on one thread or
// several (Hogwild over shared memory, like umap-learn's parallel mode).
import { availableParallelism } from 'node:os';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { seededRandom } from '../eval/random.ts';
import { type NeighbourLists, neighbourGraph, unitRows } from './nearest-neighbours.ts';
import { pcaProjection } from './pca.ts';
import { ProjectionError } from './projection-error.ts';
import { type LayoutCurve, type LayoutEdges, layoutEpoch, startClocks } from './umap-layout.ts';
import type { LayoutThreadData } from './umap-layout-thread.ts';

export interface UmapParams {
  neighbours: number;
  minDist: number;
  metric: 'cosine' | 'euclidean';
  /** optimisation epochs; umap-learn's default (200 above 10k points, 500 up to 10k) when absent */
  epochs?: number;
  seed: number;
  /**
   * Threads for the neighbour index and the layout (all cores when absent); the same seed repeats
   * the same layout only with 1 (several threads race on shared points, as umap-learn's parallel
   * mode does).
   */
  threads?: number;
}

export interface UmapHooks {
  progress?: (event: { stage: 'neighbours' | 'layout'; done: number; total: number }) => void;
  signal?: AbortSignal;
}

/** Below this many edges a layout thread costs more to start than it saves. */
const parallelEdges = 200_000;

/** umap-learn's SMOOTH_K_TOLERANCE and MIN_K_DIST_SCALE */
const SMOOTH_TOLERANCE = 1e-5;
const MIN_SCALE = 1e-3;

/**
 * a and b of the curve 1 / (1 + a x^(2b)) closest (least squares on 300 points of [0, 3 spread])
 * to 1 below min_dist and exp(-(x - min_dist) / spread) above: umap-learn's find_ab_params, with
 * Levenberg-Marquardt from (1, 1) as scipy's curve_fit does.
 */
export function fitCurve(minDist: number, spread = 1): { a: number; b: number } {
  const xs = Float64Array.from({ length: 300 }, (_, i) => (i * 3 * spread) / 299);
  const ys = xs.map((x) => (x < minDist ? 1 : Math.exp(-(x - minDist) / spread)));
  const residuals = (a: number, b: number) => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += (1 / (1 + a * xs[i] ** (2 * b)) - ys[i]) ** 2;
    return s;
  };
  let a = 1;
  let b = 1;
  let lambda = 1e-3;
  let cost = residuals(a, b);
  for (let iteration = 0; iteration < 500; iteration++) {
    // normal equations J^T J and J^T r of the 2-parameter model
    let jaa = 0;
    let jab = 0;
    let jbb = 0;
    let ga = 0;
    let gb = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (x === 0) {
        // f = 1 at x = 0 whatever a and b are: no gradient, a constant residual
        continue;
      }
      const p = x ** (2 * b);
      const f = 1 / (1 + a * p);
      const r = f - ys[i];
      const da = -p * f * f;
      const db = -a * p * 2 * Math.log(x) * f * f;
      jaa += da * da;
      jab += da * db;
      jbb += db * db;
      ga += da * r;
      gb += db * r;
    }
    let improved = false;
    while (lambda < 1e12) {
      const maa = jaa * (1 + lambda);
      const mbb = jbb * (1 + lambda);
      const det = maa * mbb - jab * jab;
      const stepA = -(mbb * ga - jab * gb) / det;
      const stepB = -(maa * gb - jab * ga) / det;
      const next = residuals(a + stepA, b + stepB);
      if (Number.isFinite(next) && next < cost) {
        const converged = cost - next < 1e-15 * Math.max(1, cost);
        a += stepA;
        b += stepB;
        cost = next;
        lambda /= 10;
        improved = !converged;
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  return { a, b };
}

/**
 * Each point's membership in its neighbours' fuzzy sets (umap-learn's smooth_knn_dist and
 * compute_membership_strengths; each point's own entry left out of `lists`): rho is the distance to
 * its nearest neighbour, sigma is found by bisection so that exp(-(d - rho) / sigma) sums to
 * log2(neighbours). Laid out as `lists.rows`; 0 where no neighbour is listed.
 */
export function memberships(lists: NeighbourLists, neighbours: number): Float32Array {
  const { k, rows, distances } = lists;
  const n = rows.length / k;
  const target = Math.log2(neighbours);
  let total = 0;
  let counted = 0;
  for (let i = 0; i < n * k; i++) {
    if (rows[i] < 0) continue;
    total += distances[i];
    counted++;
  }
  // both means count each point's own zero distance, as umap-learn's kNN lists include it
  const meanDistance = counted > 0 ? total / (counted + n) : 0;
  const membership = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    const at = r * k;
    let rho = 0;
    let sum = 0;
    let present = 0;
    for (let j = 0; j < k; j++) {
      if (rows[at + j] < 0) continue;
      const d = distances[at + j];
      if (rho === 0 && d > 0) rho = d;
      sum += d;
      present++;
    }
    let lo = 0;
    let hi = Number.POSITIVE_INFINITY;
    let sigma = 1;
    for (let iteration = 0; iteration < 64; iteration++) {
      let psum = 0;
      for (let j = 0; j < k; j++) {
        if (rows[at + j] < 0) continue;
        const d = distances[at + j] - rho;
        psum += d > 0 ? Math.exp(-d / sigma) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_TOLERANCE) break;
      if (psum > target) {
        hi = sigma;
        sigma = (lo + hi) / 2;
      } else {
        lo = sigma;
        sigma = hi === Number.POSITIVE_INFINITY ? sigma * 2 : (lo + hi) / 2;
      }
    }
    const floor = MIN_SCALE * (rho > 0 ? sum / (present + 1) : meanDistance);
    if (sigma < floor) sigma = floor;
    for (let j = 0; j < k; j++) {
      const other = rows[at + j];
      if (other < 0 || other === r) continue;
      const d = distances[at + j] - rho;
      membership[at + j] = d <= 0 || sigma === 0 ? 1 : Math.exp(-d / sigma);
    }
  }
  return membership;
}

/**
 * The fuzzy union a + b - ab of the two directed memberships of each pair, as umap-learn's
 * symmetric COO matrix: both directions of each pair, grouped by head.
 */
export function fuzzyUnion(
  lists: NeighbourLists,
  membership: Float32Array,
): { head: Int32Array; tail: Int32Array; weight: Float32Array } {
  const { k, rows } = lists;
  const n = rows.length / k;
  // group both directions of a pair under its lower end; 1 - prod(1 - w) is the fuzzy union
  const lowCount = new Int32Array(n + 1);
  for (let r = 0; r < n; r++)
    for (let j = 0; j < k; j++) if (membership[r * k + j] > 0) lowCount[Math.min(r, rows[r * k + j]) + 1]++;
  for (let r = 0; r < n; r++) lowCount[r + 1] += lowCount[r];
  const fill = lowCount.slice(0, n);
  const partner = new Int32Array(lowCount[n]);
  const complement = new Float64Array(lowCount[n]);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) {
      const w = membership[r * k + j];
      if (w <= 0) continue;
      const other = rows[r * k + j];
      const low = Math.min(r, other);
      partner[fill[low]] = Math.max(r, other);
      complement[fill[low]++] = 1 - w;
    }
  }
  const slot = new Int32Array(n).fill(-1);
  const pairLow: number[] = [];
  const pairHigh: number[] = [];
  const pairWeight: number[] = [];
  for (let low = 0; low < n; low++) {
    const first = pairLow.length;
    for (let e = lowCount[low]; e < lowCount[low + 1]; e++) {
      const high = partner[e];
      if (slot[high] < 0) {
        slot[high] = pairLow.length;
        pairLow.push(low);
        pairHigh.push(high);
        pairWeight.push(complement[e]);
      } else pairWeight[slot[high]] *= complement[e];
    }
    for (let p = first; p < pairLow.length; p++) {
      slot[pairHigh[p]] = -1;
      pairWeight[p] = 1 - pairWeight[p];
    }
  }
  const degree = new Int32Array(n + 1);
  for (let p = 0; p < pairLow.length; p++) {
    degree[pairLow[p] + 1]++;
    degree[pairHigh[p] + 1]++;
  }
  for (let r = 0; r < n; r++) degree[r + 1] += degree[r];
  const m = degree[n];
  const head = new Int32Array(m);
  const tail = new Int32Array(m);
  const weight = new Float32Array(m);
  const next = degree.slice(0, n);
  for (let p = 0; p < pairLow.length; p++) {
    const [u, v, w] = [pairLow[p], pairHigh[p], pairWeight[p]];
    head[next[u]] = u;
    tail[next[u]] = v;
    weight[next[u]++] = w;
    head[next[v]] = v;
    tail[next[v]] = u;
    weight[next[v]++] = w;
  }
  return { head, tail, weight };
}

/**
 * Edges too weak to be sampled once in `epochs` are dropped (umap-learn prunes below max/epochs);
 * the others get their sampling period max/weight, in shared memory so layout threads can read it.
 */
function layoutEdges(graph: ReturnType<typeof fuzzyUnion>, epochs: number): LayoutEdges {
  let max = 0;
  for (const w of graph.weight) if (w > max) max = w;
  let kept = 0;
  for (const w of graph.weight) if (w >= max / epochs) kept++;
  const edges: LayoutEdges = {
    head: new Int32Array(new SharedArrayBuffer(kept * 4)),
    tail: new Int32Array(new SharedArrayBuffer(kept * 4)),
    epochsPerSample: new Float64Array(new SharedArrayBuffer(kept * 8)),
  };
  let e = 0;
  for (let i = 0; i < graph.weight.length; i++) {
    const w = graph.weight[i];
    if (w < max / epochs) continue;
    edges.head[e] = graph.head[i];
    edges.tail[e] = graph.tail[i];
    edges.epochsPerSample[e++] = max / w;
  }
  return edges;
}

/**
 * PCA coordinates scaled so the largest is 10, a little Gaussian noise (1e-4) so that no two
 * points coincide, then each axis stretched to [0, 10]: umap-learn's start for init='pca'.
 */
function startingLayout(
  vectors: Float32Array,
  dim: number,
  metric: UmapParams['metric'],
  random: () => number,
): Float32Array {
  const xy = pcaProjection(metric === 'cosine' ? unitRows(vectors, dim) : vectors, dim);
  let largest = 0;
  for (const v of xy) largest = Math.max(largest, Math.abs(v));
  const scale = largest > 0 ? 10 / largest : 1;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  for (let i = 0; i < xy.length; i++) xy[i] = xy[i] * scale + 1e-4 * gauss();
  for (let axis = 0; axis < 2; axis++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = axis; i < xy.length; i += 2) {
      lo = Math.min(lo, xy[i]);
      hi = Math.max(hi, xy[i]);
    }
    const stretch = hi > lo ? 10 / (hi - lo) : 0;
    for (let i = axis; i < xy.length; i += 2) xy[i] = (xy[i] - lo) * stretch;
  }
  const shared = new Float32Array(new SharedArrayBuffer(xy.length * 4));
  shared.set(xy);
  return shared;
}

function checkCancel(signal: AbortSignal | undefined): void {
  // named as the platform names an abort, so every transport reports it as a cancellation
  if (signal?.aborted) throw new DOMException('UMAP cancelled', 'AbortError');
}

/** Per-thread xorshift32 states drawn from the seed (never zero, which xorshift cannot leave). */
function threadStates(threads: number, random: () => number): Uint32Array {
  const rng = new Uint32Array(new SharedArrayBuffer(threads * 4));
  for (let t = 0; t < threads; t++) rng[t] = Math.floor(random() * 0xfffffffe) + 1;
  return rng;
}

/** Edge ranges of about equal size, cut where a head's edges end so each point's pulls stay in one thread. */
function edgeRanges(head: Int32Array, threads: number): [number, number][] {
  const ranges: [number, number][] = [];
  let begin = 0;
  for (let t = 1; t <= threads; t++) {
    let end = t === threads ? head.length : Math.floor((head.length * t) / threads);
    while (end > begin && end < head.length && head[end] === head[end - 1]) end++;
    ranges.push([begin, end]);
    begin = end;
  }
  return ranges;
}

const REPORT_EVERY = 5;

async function optimiseLayout(
  embedding: Float32Array,
  edges: LayoutEdges,
  curve: LayoutCurve,
  epochs: number,
  threads: number,
  random: () => number,
  hooks: UmapHooks,
): Promise<void> {
  const clocks = startClocks(edges, curve.negativeRate, new SharedArrayBuffer(edges.head.length * 16));
  const used = edges.head.length < parallelEdges ? 1 : threads;
  const rng = threadStates(used, random);
  hooks.progress?.({ stage: 'layout', done: 0, total: epochs });
  const report = async (epoch: number) => {
    if (epoch % REPORT_EVERY !== REPORT_EVERY - 1 && epoch !== epochs - 1) return;
    hooks.progress?.({ stage: 'layout', done: epoch + 1, total: epochs });
    // the cancel message reaches a worker only between tasks
    await yieldToEvents();
    checkCancel(hooks.signal);
  };
  if (used === 1) {
    for (let epoch = 0; epoch < epochs; epoch++) {
      layoutEpoch(embedding, edges, clocks, curve, epoch, epochs, 0, edges.head.length, rng, 0);
      await report(epoch);
    }
    return;
  }
  const workers = edgeRanges(edges.head, used).map(([begin, end], slot) => {
    const data: LayoutThreadData = {
      embedding: embedding.buffer as SharedArrayBuffer,
      head: edges.head.buffer as SharedArrayBuffer,
      tail: edges.tail.buffer as SharedArrayBuffer,
      epochsPerSample: edges.epochsPerSample.buffer as SharedArrayBuffer,
      clocks: clocks.nextSample.buffer as SharedArrayBuffer,
      rng: rng.buffer as SharedArrayBuffer,
      curve,
      epochs,
      begin,
      end,
      slot,
    };
    return new Worker(new URL('./umap-layout-worker.mjs', import.meta.url), { workerData: data });
  });
  try {
    const epochDone = (worker: Worker, epoch: number) =>
      new Promise<void>((resolve, reject) => {
        const done = (answer: number) => {
          worker.off('error', reject);
          if (answer === epoch) resolve();
          else reject(new ProjectionError(`layout thread answered epoch ${answer} for epoch ${epoch}`));
        };
        worker.once('message', done);
        worker.once('error', reject);
        worker.postMessage(epoch);
      });
    for (let epoch = 0; epoch < epochs; epoch++) {
      // every thread finishes an epoch before the next starts, as umap-learn's parallel loop does
      await Promise.all(workers.map((worker) => epochDone(worker, epoch)));
      await report(epoch);
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** x0, y0, x1, y1... for the rows of `vectors` (n x dim). */
export async function umap(
  vectors: Float32Array,
  dim: number,
  p: UmapParams,
  hooks: UmapHooks = {},
): Promise<Float32Array> {
  const n = vectors.length / dim;
  if (n <= p.neighbours) {
    throw new ProjectionError(`UMAP with ${p.neighbours} neighbours needs more than ${n} points`);
  }
  const threads = p.threads ?? Math.max(1, availableParallelism());
  if (!Number.isInteger(threads) || threads < 1) {
    throw new ProjectionError(`UMAP threads must be a whole number of at least 1, got ${threads}`);
  }
  hooks.progress?.({ stage: 'neighbours', done: 0, total: n });
  // umap-learn counts each point as its own first neighbour
  const lists = neighbourGraph(vectors, dim, p.metric, p.neighbours - 1, threads);
  hooks.progress?.({ stage: 'neighbours', done: n, total: n });
  checkCancel(hooks.signal);
  const epochs = p.epochs ?? (n <= 10_000 ? 500 : 200);
  const edges = layoutEdges(fuzzyUnion(lists, memberships(lists, p.neighbours)), epochs);
  const random = seededRandom(p.seed);
  const embedding = startingLayout(vectors, dim, p.metric, random);
  const { a, b } = fitCurve(p.minDist);
  await optimiseLayout(embedding, edges, { a, b, gamma: 1, negativeRate: 5 }, epochs, threads, random, hooks);
  return Float32Array.from(embedding);
}
