// k-means (Lloyd's iterations) from a k-means++ start (Arthur & Vassilvitskii 2007), seeded.
import { seededRandom } from './random.ts';

export interface KMeansResult {
  assignments: Int32Array;
  /** k x dim, row-major */
  centers: Float64Array;
  /** sum of squared distances to the assigned centers */
  inertia: number;
  iterations: number;
}

function squaredDistance(x: Float64Array, i: number, centers: Float64Array, c: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const diff = x[i * dim + d] - centers[c * dim + d];
    s += diff * diff;
  }
  return s;
}

/** Clusters the n rows of `x` (n x dim) into k groups. */
export function kMeans(
  x: Float64Array,
  dim: number,
  k: number,
  seed: number,
  maxIterations = 300,
): KMeansResult {
  const n = x.length / dim;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`k-means: k = ${k} with ${n} points`);
  const random = seededRandom(seed);
  const centers = new Float64Array(k * dim);
  const closest = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  // k-means++: each next center drawn with probability proportional to the squared distance to the nearest one
  let chosen = Math.floor(random() * n);
  for (let c = 0; c < k; c++) {
    centers.set(x.subarray(chosen * dim, (chosen + 1) * dim), c * dim);
    let total = 0;
    for (let i = 0; i < n; i++) {
      closest[i] = Math.min(closest[i], squaredDistance(x, i, centers, c, dim));
      total += closest[i];
    }
    if (c + 1 === k) break;
    let target = random() * total;
    chosen = n - 1;
    for (let i = 0; i < n; i++) {
      target -= closest[i];
      if (target < 0) {
        chosen = i;
        break;
      }
    }
  }
  const assignments = new Int32Array(n).fill(-1);
  const sizes = new Float64Array(k);
  let inertia = 0;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = 0;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestDistance = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const distance = squaredDistance(x, i, centers, c, dim);
        if (distance < bestDistance) {
          bestDistance = distance;
          best = c;
        }
      }
      if (assignments[i] !== best) changed++;
      assignments[i] = best;
      inertia += bestDistance;
    }
    if (changed === 0) break;
    const previous = centers.slice();
    centers.fill(0);
    sizes.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignments[i];
      sizes[c]++;
      for (let d = 0; d < dim; d++) centers[c * dim + d] += x[i * dim + d];
    }
    for (let c = 0; c < k; c++) {
      // an emptied cluster keeps its previous center rather than collapsing to the origin
      if (sizes[c] === 0) centers.set(previous.subarray(c * dim, (c + 1) * dim), c * dim);
      else for (let d = 0; d < dim; d++) centers[c * dim + d] /= sizes[c];
    }
  }
  return { assignments, centers, inertia, iterations };
}
