// Multi-head scaled dot-product attention, composed from the op library so its gradient is
// derived (BERT4Rec, ViT, ViViT, TimeSformer reuse it; MViT pools q, k, v before calling it).
import { ShapeError, type Tensor } from '../graph.ts';
import { add, mul } from './elementwise.ts';
import { matmul } from './linalg.ts';
import { attentionBias, type DropoutOptions, softmax, softmaxDropout } from './nn.ts';
import { reshape, transpose, transposeLast } from './shape.ts';

export interface AttentionOptions {
  /**
   * Where attention may look, broadcastable to [..., heads, Tq, Tk]: a bool keep mask (true =
   * may attend) or an additive float bias (0 / -1e9, e.g. from `attentionBias`, shared by layers).
   */
  mask?: Tensor;
  /** dropout on the attention probabilities (training graphs) */
  dropout?: DropoutOptions;
}

/** [..., T, heads * d] to [..., heads, T, d]. */
export function splitHeads(x: Tensor, heads: number): Tensor {
  const dModel = x.shape[x.rank - 1];
  if (x.rank < 2 || dModel % heads !== 0) {
    throw new ShapeError('SplitHeads', `width ${dModel} is not divisible into ${heads} heads`, [x]);
  }
  const lead = x.shape.slice(0, -2);
  const split = reshape(x, [...lead, x.shape[x.rank - 2], heads, dModel / heads]);
  const perm = split.shape.map((_, i) => i);
  [perm[lead.length], perm[lead.length + 1]] = [lead.length + 1, lead.length];
  return transpose(split, perm);
}

/** [..., heads, T, d] back to [..., T, heads * d]. */
export function mergeHeads(x: Tensor): Tensor {
  const lead = x.shape.slice(0, -3);
  const perm = x.shape.map((_, i) => i);
  [perm[lead.length], perm[lead.length + 1]] = [lead.length + 1, lead.length];
  const [heads, t, d] = x.shape.slice(-3);
  return reshape(transpose(x, perm), [...lead, t, heads * d]);
}

/**
 * softmax(q k^T / sqrt(d) + mask) v over q [..., Tq, d], k and v [..., Tk, d]; returns the
 * output and the attention probabilities (before dropout), e.g. for attention maps.
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  { mask, dropout: drop }: AttentionOptions = {},
): { output: Tensor; weights: Tensor } {
  const d = q.shape[q.rank - 1];
  if (k.shape[k.rank - 1] !== d || k.shape[k.rank - 2] !== v.shape[v.rank - 2]) {
    throw new ShapeError('Attention', 'q and k must share their width, k and v their length', [q, k, v]);
  }
  // Scaling q rather than the scores touches Tq*d values instead of Tq*Tk.
  let scores = matmul(mul(q, 1 / Math.sqrt(d)), transposeLast(k));
  if (mask) scores = add(scores, mask.dtype === 'bool' ? attentionBias(mask, scores.dtype) : mask);
  if (!drop || drop.p === 0) {
    const weights = softmax(scores, -1);
    return { output: matmul(weights, v), weights };
  }
  // Inverted dropout's 1/(1-p) goes on v (Tk*d values; onnxruntime folds it into the MatMul)
  // rather than on the Tq*Tk probabilities.
  const { probabilities, dropped } = softmaxDropout(scores, -1, drop);
  return { output: matmul(dropped, mul(v, 1 / (1 - drop.p))), weights: probabilities };
}

/**
 * Attention with `heads` heads over already projected q [..., Tq, D], k and v [..., Tk, D]:
 * split into heads, attend, merge back to [..., Tq, D]. The projections stay with the model.
 */
export function multiHeadAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: AttentionOptions & { heads: number },
): Tensor {
  const { output } = scaledDotProductAttention(
    splitHeads(q, options.heads),
    splitHeads(k, options.heads),
    splitHeads(v, options.heads),
    options,
  );
  return mergeHeads(output);
}
