// Learning-rate schedules computed inside the graph from the optimizer's update counter, so a
// resumed run needs nothing but the counter to continue on the same curve.
import type { Graph, Op, Tensor } from '../graph.ts';
import * as op from '../ops/index.ts';

/**
 * Maps `t`, the number of updates applied before this one (a float scalar, 0 on the first
 * update), to this update's learning rate, a scalar of the same dtype.
 */
export type Schedule = (g: Graph, t: Tensor) => Tensor;

export function constant(lr: number): Schedule {
  return (g, t) => g.scalar(lr, t.dtype);
}

export interface WarmupDecayOptions {
  peak: number;
  /** updates of linear warmup: update t (0-based) of the warmup uses peak (t + 1) / warmupSteps */
  warmupSteps: number;
  /** the update count at which the decay reaches `end`; later updates stay at `end` */
  totalSteps: number;
  /** the final learning rate (a floor for cosine) */
  end?: number;
}

/** Linear warmup to `peak`, then linear decay to `end` at `totalSteps` (BERT, BERT4Rec). */
export function warmupLinearDecay(options: WarmupDecayOptions): Schedule {
  const { peak, end = 0 } = checked('warmupLinearDecay', options);
  return warmupThen(options, (p) => op.add(op.mul(op.sub(1, p), peak - end), end));
}

/** Linear warmup to `peak`, then half a cosine down to `end` at `totalSteps` (SimCLR, ViT). */
export function warmupCosineDecay(options: WarmupDecayOptions): Schedule {
  const { peak, end = 0 } = checked('warmupCosineDecay', options);
  return warmupThen(options, (p) =>
    op.add(op.mul(op.add(cos(op.mul(p, Math.PI)), 1), (peak - end) / 2), end),
  );
}

function checked(name: string, options: WarmupDecayOptions): WarmupDecayOptions {
  const { warmupSteps, totalSteps } = options;
  if (!(warmupSteps >= 0 && totalSteps > warmupSteps)) {
    throw new Error(`${name}: need 0 <= warmupSteps < totalSteps, got ${warmupSteps} and ${totalSteps}`);
  }
  return options;
}

/** Warmup, then `decay` of the progress p in [0, 1] through the decay phase. */
function warmupThen(
  { peak, warmupSteps, totalSteps }: WarmupDecayOptions,
  decay: (p: Tensor) => Tensor,
): Schedule {
  return (_g, t) => {
    const progress = op.div(op.sub(t, warmupSteps), totalSteps - warmupSteps);
    const clamped = op.neg(op.maximum(op.neg(op.maximum(progress, 0)), -1));
    const decayed = decay(clamped);
    if (warmupSteps === 0) return decayed;
    const warm = op.mul(op.add(t, 1), peak / warmupSteps);
    return op.where(op.less(t, warmupSteps), warm, decayed);
  };
}

// Only schedules use a cosine, and nothing differentiates a schedule, so Cos lives here
// without a gradient rule rather than in the op library.
const CosOp: Op = {
  name: 'Cos',
  forward: (g, [x]) => g.node('Cos', [x], [{ shape: x.shape, dtype: x.dtype }]),
};

function cos(x: Tensor): Tensor {
  return x.graph.apply(CosOp, [x], undefined)[0];
}
