// Global-norm gradient clipping: every gradient is scaled by one factor so that the norm of all
// of them together is at most maxNorm (Pascanu et al.; torch.nn.utils.clip_grad_norm_).
import type { Tensor } from '../graph.ts';
import * as op from '../ops/index.ts';

export interface ClippedGradients {
  grads: Tensor[];
  /** the global norm before clipping, a scalar (worth logging: spikes show instability) */
  norm: Tensor;
}

export function clipByGlobalNorm(grads: readonly Tensor[], maxNorm: number): ClippedGradients {
  if (grads.length === 0) throw new Error('clipByGlobalNorm: no gradients');
  if (!(maxNorm > 0)) throw new Error(`clipByGlobalNorm: maxNorm must be positive, got ${maxNorm}`);
  const dtype = grads[0].dtype;
  const squares = grads.map((gr) => op.cast(op.sumAll(op.mul(gr, gr)), dtype));
  const norm = op.sqrt(squares.reduce((a, b) => op.add(a, b)));
  // max(norm, maxNorm) in the denominator: a factor of 1 below the threshold, never a division by 0
  const factor = op.div(maxNorm, op.maximum(norm, maxNorm));
  return { grads: grads.map((gr) => op.mul(gr, op.cast(factor, gr.dtype))), norm };
}
