// The linear evaluation protocol of self-supervised encoders (Chen et al. 2020, appendix B.6; the
// "linear probe" of Kolesnikov et al. 2019): the encoder stays frozen, a multinomial logistic
// regression with an L2 penalty is fitted on the training images' representations, its inverse
// strength C is the one of a logarithmic grid with the best validation top-1, and that classifier
// is scored on the test images. Features are standardised with the training part's mean and
// standard deviation first, so one grid of C fits encoders whose output scales differ by orders.
import {
  fitLogisticRegression,
  type LogisticRegressionModel,
  predictLogisticRegression,
} from './logistic-regression.ts';

/** Representations of one part of a split: rows x dim, and each row's class. */
export interface LabelledRows {
  vectors: Float32Array;
  labels: Int32Array;
}

export interface LinearProbeOptions {
  /** the C values tried, ascending (each fit starts from the previous one's weights) */
  cs?: number[];
  /** L-BFGS iterations per C; scikit-learn's default 100 (warm starts need fewer) */
  maxIterations?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface LinearProbe {
  /** the chosen C */
  c: number;
  validation_top1: number;
  /** validation top-1 of every C tried */
  grid: { c: number; validation_top1: number }[];
  /** the chosen classifier's prediction for each test row */
  predicted: Int32Array;
}

/** 10^-4 .. 10^3, one value per decade. */
export const defaultCs = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000];

function standardiser(train: Float32Array, dim: number) {
  const n = train.length / dim;
  const mean = new Float64Array(dim);
  const scale = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let d = 0; d < dim; d++) mean[d] += train[r * dim + d] / n;
  for (let r = 0; r < n; r++)
    for (let d = 0; d < dim; d++) scale[d] += (train[r * dim + d] - mean[d]) ** 2 / n;
  // a constant feature carries nothing; it is centred to 0 and left unscaled
  for (let d = 0; d < dim; d++) scale[d] = scale[d] > 1e-12 ? 1 / Math.sqrt(scale[d]) : 1;
  return (x: Float32Array) => {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = (x[i] - mean[i % dim]) * scale[i % dim];
    return out;
  };
}

function accuracy(truth: Int32Array, predicted: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) hits++;
  return truth.length > 0 ? hits / truth.length : 0;
}

export function linearProbe(
  train: LabelledRows,
  validation: LabelledRows,
  test: LabelledRows,
  dim: number,
  classes: number,
  options: LinearProbeOptions = {},
): LinearProbe {
  const cs = options.cs ?? defaultCs;
  if (cs.length === 0 || cs.some((c, i) => !(c > 0) || (i > 0 && c <= cs[i - 1]))) {
    throw new RangeError(`the C grid must be positive and ascending, got ${cs.join(', ')}`);
  }
  if (validation.labels.length === 0) {
    throw new RangeError('the linear protocol chooses C on validation images, and this split has none');
  }
  const standardise = standardiser(train.vectors, dim);
  const x = standardise(train.vectors);
  const xValidation = standardise(validation.vectors);
  const grid: LinearProbe['grid'] = [];
  let best: { c: number; top1: number; model: LogisticRegressionModel } | null = null;
  let previous: Float64Array | undefined;
  for (const c of cs) {
    if (options.signal?.aborted) {
      const error = new Error('evaluation cancelled');
      error.name = 'AbortError';
      throw error;
    }
    const model = fitLogisticRegression(x, train.labels, classes, {
      c,
      initial: previous,
      maxIterations: options.maxIterations ?? 100,
    });
    previous = model.weights;
    const top1 = accuracy(validation.labels, predictLogisticRegression(model, xValidation));
    grid.push({ c, validation_top1: top1 });
    // ties go to the smaller C, the stronger penalty
    if (!best || top1 > best.top1) best = { c, top1, model };
    options.onProgress?.(grid.length, cs.length);
  }
  return {
    c: best!.c,
    validation_top1: best!.top1,
    grid,
    predicted: predictLogisticRegression(best!.model, standardise(test.vectors)),
  };
}
