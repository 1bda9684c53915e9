// Seeded Gaussian blobs: the planted structure that tests recover and benchmarks project.
import { seededRandom } from '../eval/random.ts';

export interface ClusteredVectors {
  vectors: Float32Array;
  dim: number;
  /** the blob each row was drawn from */
  blobs: Int32Array;
}

/** n rows of dimension dim around `blobs` random centres (spread `separation`), unit noise. */
export function clusteredVectors(
  n: number,
  dim: number,
  blobs: number,
  seed: number,
  separation = 10,
): ClusteredVectors {
  const random = seededRandom(seed);
  const gauss = () => {
    // Box-Muller
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const centres = Float64Array.from({ length: blobs * dim }, () => gauss() * separation);
  const vectors = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const b = r % blobs;
    labels[r] = b;
    for (let d = 0; d < dim; d++) vectors[r * dim + d] = centres[b * dim + d] + gauss();
  }
  return { vectors, dim, blobs: labels };
}
