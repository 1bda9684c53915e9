// PCA to 2-D: the top eigenvectors of the covariance matrix (dim x dim, one pass over the rows),
// found by subspace iteration with oversampling and a Rayleigh-Ritz step (Halko, Martinsson,
// Tropp 2011), exact Jacobi rotations on the small projected matrix. 100k x 64 costs one pass.

export interface PrincipalAxes {
  /** components x dim, row-major, unit length, largest variance first */
  axes: Float64Array;
  /** variance along each axis */
  variances: Float64Array;
  mean: Float64Array;
}

/** Eigenvalues (descending) and eigenvectors (columns of `vectors`, n x n) of a symmetric matrix. */
export function symmetricEigen(
  matrix: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from];
  });
  return { values, vectors };
}

function covariance(x: Float32Array, dim: number): { mean: Float64Array; cov: Float64Array } {
  const n = x.length / dim;
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let d = 0; d < dim; d++) mean[d] += x[r * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    for (let d = 0; d < dim; d++) row[d] = x[r * dim + d] - mean[d];
    for (let i = 0; i < dim; i++) {
      const ri = row[i];
      for (let j = i; j < dim; j++) cov[i * dim + j] += ri * row[j];
    }
  }
  const scale = 1 / Math.max(1, n - 1);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      cov[i * dim + j] *= scale;
      cov[j * dim + i] = cov[i * dim + j];
    }
  }
  return { mean, cov };
}

/** Gram-Schmidt on the l columns of q (dim x l); a dependent column is replaced by a seeded one. */
function orthonormalise(q: Float64Array, dim: number, l: number, seed: () => number): void {
  for (let c = 0; c < l; c++) {
    for (let attempt = 0; ; attempt++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += q[d * l + c] * q[d * l + p];
        for (let d = 0; d < dim; d++) q[d * l + c] -= dot * q[d * l + p];
      }
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += q[d * l + c] ** 2;
      norm = Math.sqrt(norm);
      if (norm > 1e-12 || attempt > 3) {
        for (let d = 0; d < dim; d++) q[d * l + c] = norm > 1e-12 ? q[d * l + c] / norm : 0;
        break;
      }
      for (let d = 0; d < dim; d++) q[d * l + c] = seed() - 0.5;
    }
  }
}

/** The top `components` principal axes of the rows of x (n x dim). */
export function principalAxes(x: Float32Array, dim: number, components = 2): PrincipalAxes {
  const { mean, cov } = covariance(x, dim);
  let state = 1;
  const random = () => {
    // a fixed start: PCA is deterministic, its answer does not depend on a seed
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  let basis: Float64Array;
  let l: number;
  if (dim <= 32) {
    basis = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) basis[i * dim + i] = 1;
    l = dim;
  } else {
    l = Math.min(dim, components + 10);
    basis = Float64Array.from({ length: dim * l }, () => random() - 0.5);
    orthonormalise(basis, dim, l, random);
    const next = new Float64Array(dim * l);
    for (let iteration = 0; iteration < 30; iteration++) {
      next.fill(0);
      for (let i = 0; i < dim; i++)
        for (let j = 0; j < dim; j++) {
          const cij = cov[i * dim + j];
          for (let c = 0; c < l; c++) next[i * l + c] += cij * basis[j * l + c];
        }
      basis.set(next);
      orthonormalise(basis, dim, l, random);
    }
  }
  // Rayleigh-Ritz: B = Q^T C Q is l x l; its eigenvectors rotate Q onto the principal axes
  const cq = new Float64Array(dim * l);
  for (let i = 0; i < dim; i++)
    for (let j = 0; j < dim; j++) {
      const cij = cov[i * dim + j];
      for (let c = 0; c < l; c++) cq[i * l + c] += cij * basis[j * l + c];
    }
  const b = new Float64Array(l * l);
  for (let r = 0; r < l; r++)
    for (let c = 0; c < l; c++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += basis[d * l + r] * cq[d * l + c];
      b[r * l + c] = s;
    }
  const { values, vectors } = symmetricEigen(b, l);
  const m = Math.min(components, l);
  const axes = new Float64Array(m * dim);
  for (let a = 0; a < m; a++) {
    for (let d = 0; d < dim; d++) {
      let s = 0;
      for (let c = 0; c < l; c++) s += basis[d * l + c] * vectors[c * l + a];
      axes[a * dim + d] = s;
    }
    // an eigenvector's sign is arbitrary; fix it so the same data always gives the same picture
    let largest = 0;
    for (let d = 0; d < dim; d++)
      if (Math.abs(axes[a * dim + d]) > Math.abs(axes[a * dim + largest])) largest = d;
    if (axes[a * dim + largest] < 0) for (let d = 0; d < dim; d++) axes[a * dim + d] *= -1;
  }
  return { axes, variances: values.slice(0, m), mean };
}

/** Rows of x projected onto their first two principal axes: x0, y0, x1, y1... */
export function pcaProjection(x: Float32Array, dim: number): Float32Array {
  const { axes, mean } = principalAxes(x, dim, 2);
  const n = x.length / dim;
  const xy = new Float32Array(n * 2);
  for (let r = 0; r < n; r++) {
    let u = 0;
    let v = 0;
    for (let d = 0; d < dim; d++) {
      const centred = x[r * dim + d] - mean[d];
      u += centred * axes[d];
      v += centred * (axes.length > dim ? axes[dim + d] : 0);
    }
    xy[2 * r] = u;
    xy[2 * r + 1] = v;
  }
  return xy;
}
