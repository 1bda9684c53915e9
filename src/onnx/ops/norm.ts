// Normalisation layers: LayerNorm over the last axis (Transformers) and BatchNorm with batch
// statistics in training and running statistics carried as state (CNNs, SimCLR heads).
import type { Shape } from '../dtype.ts';
import { type Graph, type Op, ShapeError, type Tensor } from '../graph.ts';
import { add, mul, reciprocal, sqrt, sub } from './elementwise.ts';
import { reduceMean, reduceSum } from './reduce.ts';
import { expand, reshape } from './shape.ts';

interface LayerNormAttrs {
  eps: number;
}

/** Emits mean and 1/std over the last axis from primitives (float64: no typed kernel outputs). */
function composedStats(g: Graph, x: Tensor, eps: number): [Tensor, Tensor] {
  const like = { shape: x.shape, dtype: x.dtype };
  const stat = { shape: [...x.shape.slice(0, -1), 1], dtype: x.dtype };
  const last = g.int64s([-1]);
  const [mean] = g.node('ReduceMean', [x, last], [stat], { keepdims: { int: 1 } });
  const [centred] = g.node('Sub', [x, mean], [like]);
  const [variance] = g.node('ReduceMean', [g.node('Mul', [centred, centred], [like])[0], last], [stat], {
    keepdims: { int: 1 },
  });
  const [std] = g.node('Sqrt', [g.node('Add', [variance, g.scalar(eps, x.dtype)], [stat])[0]], [stat]);
  return [mean, g.node('Reciprocal', [std], [stat])[0]];
}

const LayerNormOp: Op<LayerNormAttrs> = {
  name: 'LayerNormalization',
  forward(g, [x, gamma, beta], { eps }) {
    const stat = { shape: [...x.shape.slice(0, -1), 1], dtype: x.dtype };
    if (x.dtype === 'float32') {
      return g.node(
        'LayerNormalization',
        [x, gamma, beta],
        [{ shape: x.shape, dtype: x.dtype }, stat, stat],
        {
          axis: { int: -1 },
          epsilon: { float: eps },
        },
      );
    }
    // onnxruntime's float64 LayerNormalization stashes its statistics in float32 only.
    const [mean, invStd] = composedStats(g, x, eps);
    const like = { shape: x.shape, dtype: x.dtype };
    const [normalised] = g.node('Mul', [g.node('Sub', [x, mean], [like])[0], invStd], [like]);
    const [y] = g.node('Add', [g.node('Mul', [normalised, gamma], [like])[0], beta], [like]);
    return [y, mean, invStd];
  },
  // The standard LayerNorm gradient from the kernel's own mean and 1/std; gradients reaching
  // those statistics (second-order graphs) are folded in too.
  backward(_g, { inputs: [x, gamma], outputs: [, mean, invStd] }, [gy, gMean, gInvStd]) {
    const d = x.shape[x.rank - 1];
    const leading = x.shape.slice(0, -1).map((_, i) => i);
    const normalised = mul(sub(x, mean), invStd);
    let gx: Tensor | null = null;
    let gGamma: Tensor | null = null;
    let gBeta: Tensor | null = null;
    if (gy) {
      const gNormalised = mul(gy, gamma);
      const centredGrad = sub(
        sub(gNormalised, reduceMean(gNormalised, [-1], true)),
        mul(normalised, reduceMean(mul(gNormalised, normalised), [-1], true)),
      );
      gx = mul(centredGrad, invStd);
      gGamma = reduceSum(mul(gy, normalised), leading);
      gBeta = reduceSum(gy, leading);
    }
    const parts = [gx];
    if (gMean) parts.push(expand(mul(gMean, 1 / d), x.shape));
    // d(1/std)/dx = -(1/std)^2 * normalised / d
    if (gInvStd) parts.push(mul(mul(gInvStd, mul(invStd, invStd)), mul(normalised, -1 / d)));
    const present = parts.filter((t): t is Tensor => t !== null);
    return [present.length ? present.reduce((a, b) => add(a, b)) : null, gGamma, gBeta];
  },
};

/** LayerNorm over the last axis with a learned scale and shift (both of the last axis' size). */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const d = x.shape[x.rank - 1];
  if (gamma.shape.join() !== `${d}` || beta.shape.join() !== `${d}`) {
    throw new ShapeError('LayerNormalization', `scale and shift must have shape [${d}]`, [x, gamma, beta]);
  }
  return x.graph.apply(LayerNormOp, [x, gamma, beta], { eps })[0];
}

export interface RunningStatistics {
  mean: Tensor;
  variance: Tensor;
}

export interface BatchNormOptions {
  training: boolean;
  /** weight of the new batch in the running statistics (PyTorch's convention) */
  momentum?: number;
  eps?: number;
}

export interface BatchNormResult {
  y: Tensor;
  /** the running statistics after this batch (unchanged in eval mode): new state to route back */
  running: RunningStatistics;
}

/**
 * BatchNorm over x of shape [N, C, ...]: statistics per channel over N and the spatial (and
 * temporal) axes. Training normalises by the batch's biased variance and moves the running
 * statistics towards the batch (unbiased variance, as PyTorch); eval uses the running ones.
 */
export function batchNorm(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  running: RunningStatistics,
  { training, momentum = 0.1, eps = 1e-5 }: BatchNormOptions,
): BatchNormResult {
  const c = x.shape[1];
  for (const t of [gamma, beta, running.mean, running.variance]) {
    if (x.rank < 2 || t.shape.join() !== `${c}`) {
      throw new ShapeError(
        'BatchNorm',
        `per-channel tensors must have shape [${c}] for x of shape [N, C, ...]`,
        [x, t],
      );
    }
  }
  const channel: Shape = x.shape.map((d, i) => (i === 1 ? d : 1));
  const perChannel = (t: Tensor) => reshape(t, channel);
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  if (!training) {
    const invStd = reciprocal(sqrt(add(perChannel(running.variance), eps)));
    const y = add(mul(mul(sub(x, perChannel(running.mean)), invStd), perChannel(gamma)), perChannel(beta));
    return { y, running };
  }
  const mean = reduceMean(x, axes, true);
  const centred = sub(x, mean);
  const variance = reduceMean(mul(centred, centred), axes, true);
  const y = add(mul(mul(centred, reciprocal(sqrt(add(variance, eps)))), perChannel(gamma)), perChannel(beta));
  const n = x.size / c;
  const unbiased = mul(reshape(variance, [c]), n / Math.max(n - 1, 1));
  return {
    y,
    running: {
      mean: add(mul(running.mean, 1 - momentum), mul(reshape(mean, [c]), momentum)),
      variance: add(mul(running.variance, 1 - momentum), mul(unbiased, momentum)),
    },
  };
}
