// Multinomial logistic regression with an L2 penalty, the linear probe of the node
// classification papers (scikit-learn's LogisticRegression(C=1, solver='lbfgs') objective):
//   minimise  C * Σ_i -log softmax(W x_i + b)[y_i]  +  ½ ||W||²   (the intercept is not penalised)
// solved by L-BFGS (Nocedal & Wright, algorithm 7.4/7.5) with a backtracking Armijo line search.

export interface LogisticRegressionOptions {
  /** inverse regularisation strength, as scikit-learn's C */
  c?: number;
  maxIterations?: number;
  /** stop when the gradient's largest entry falls below this (scikit-learn's tol) */
  tolerance?: number;
  /** L-BFGS memory */
  history?: number;
  /** weights to start from (a fit at a nearby C converges in fewer iterations); zeros otherwise */
  initial?: Float64Array;
}

export interface LogisticRegressionModel {
  classes: number;
  dim: number;
  /** classes x dim, row-major, then classes intercepts */
  weights: Float64Array;
  iterations: number;
}

/** Loss and gradient at `w` (classes*dim weights then classes biases). */
function objective(
  w: Float64Array,
  x: Float64Array,
  y: Int32Array,
  dim: number,
  classes: number,
  c: number,
  gradient: Float64Array,
): number {
  const n = y.length;
  const bias = classes * dim;
  gradient.fill(0);
  const logits = new Float64Array(classes);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = i * dim;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < classes; k++) {
      let z = w[bias + k];
      const wk = k * dim;
      for (let d = 0; d < dim; d++) z += w[wk + d] * x[row + d];
      logits[k] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) {
      logits[k] = Math.exp(logits[k] - max);
      sum += logits[k];
    }
    loss -= Math.log(logits[y[i]] / sum);
    for (let k = 0; k < classes; k++) {
      const residual = c * (logits[k] / sum - (y[i] === k ? 1 : 0));
      if (residual === 0) continue;
      const wk = k * dim;
      for (let d = 0; d < dim; d++) gradient[wk + d] += residual * x[row + d];
      gradient[bias + k] += residual;
    }
  }
  let penalty = 0;
  for (let k = 0; k < bias; k++) {
    penalty += w[k] * w[k];
    gradient[k] += w[k];
  }
  return c * loss + penalty / 2;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

/** Fits on `n` rows of `x` (row-major, n x dim) with labels 0..classes-1. */
export function fitLogisticRegression(
  x: Float64Array,
  y: Int32Array,
  classes: number,
  options: LogisticRegressionOptions = {},
): LogisticRegressionModel {
  const n = y.length;
  const dim = n === 0 ? 0 : x.length / n;
  if (!Number.isInteger(dim)) throw new RangeError(`${x.length} features do not split into ${n} rows`);
  const c = options.c ?? 1;
  const maxIterations = options.maxIterations ?? 500;
  const tolerance = options.tolerance ?? 1e-4;
  const history = options.history ?? 10;
  const size = classes * dim + classes;
  if (options.initial && options.initial.length !== size) {
    throw new RangeError(`initial weights: ${options.initial.length} values, the model has ${size}`);
  }
  let w = options.initial ? Float64Array.from(options.initial) : new Float64Array(size);
  let g = new Float64Array(size);
  let f = objective(w, x, y, dim, classes, c, g);
  const s: Float64Array[] = [];
  const t: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(history);
  const direction = new Float64Array(size);
  const next = new Float64Array(size);
  const nextGradient = new Float64Array(size);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let largest = 0;
    for (const v of g) largest = Math.max(largest, Math.abs(v));
    if (largest < tolerance) break;
    // two-loop recursion: direction = -H g
    direction.set(g);
    for (let k = s.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(s[k], direction);
      for (let j = 0; j < size; j++) direction[j] -= alpha[k] * t[k][j];
    }
    const scale =
      s.length > 0 ? dot(s.at(-1)!, t.at(-1)!) / dot(t.at(-1)!, t.at(-1)!) : 1 / Math.max(1, largest);
    for (let j = 0; j < size; j++) direction[j] *= scale;
    for (let k = 0; k < s.length; k++) {
      const beta = rho[k] * dot(t[k], direction);
      for (let j = 0; j < size; j++) direction[j] += s[k][j] * (alpha[k] - beta);
    }
    for (let j = 0; j < size; j++) direction[j] = -direction[j];
    let slope = dot(g, direction);
    if (slope >= 0) {
      // not a descent direction (curvature information went stale): restart from steepest descent
      s.length = 0;
      t.length = 0;
      rho.length = 0;
      for (let j = 0; j < size; j++) direction[j] = -g[j] / Math.max(1, largest);
      slope = dot(g, direction);
    }
    let step = 1;
    let nextF = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 40; tries++) {
      for (let j = 0; j < size; j++) next[j] = w[j] + step * direction[j];
      nextF = objective(next, x, y, dim, classes, c, nextGradient);
      if (nextF <= f + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(nextF < f)) break;
    const sk = new Float64Array(size);
    const tk = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      sk[j] = next[j] - w[j];
      tk[j] = nextGradient[j] - g[j];
    }
    const curvature = dot(sk, tk);
    if (curvature > 1e-12) {
      if (s.length === history) {
        s.shift();
        t.shift();
        rho.shift();
      }
      s.push(sk);
      t.push(tk);
      rho.push(1 / curvature);
    }
    const converged = Math.abs(f - nextF) <= 1e-10 * Math.max(1, Math.abs(f));
    [w, g] = [Float64Array.from(next), Float64Array.from(nextGradient)];
    f = nextF;
    if (converged) {
      iterations++;
      break;
    }
  }
  return { classes, dim, weights: w, iterations };
}

/** The most probable class of each row of `x`. */
export function predictLogisticRegression(model: LogisticRegressionModel, x: Float64Array): Int32Array {
  const { classes, dim, weights } = model;
  const n = dim === 0 ? 0 : x.length / dim;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestZ = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < classes; k++) {
      let z = weights[classes * dim + k];
      for (let d = 0; d < dim; d++) z += weights[k * dim + d] * x[i * dim + d];
      if (z > bestZ) {
        bestZ = z;
        best = k;
      }
    }
    out[i] = best;
  }
  return out;
}
