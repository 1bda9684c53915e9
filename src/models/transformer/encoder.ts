// The Transformer encoder (Vaswani et al. 2017) written once over the op library: multi-head
// self-attention with a padding and/or causal mask, a position-wise GELU feed-forward layer,
// residuals with dropout, and LayerNorm after (BERT, BERT4Rec) or before (ViT) each sublayer.
// BERT4Rec, ViT, ViViT and TimeSformer build on it; the backward pass is derived by autodiff.
import type { Graph, Tensor } from '../../onnx/graph.ts';
import { ShapeError } from '../../onnx/graph.ts';
import * as op from '../../onnx/ops/index.ts';
import type { EncoderConfig, EncoderWeights, LayerNormWeights, LayerWeights } from './weights.ts';

export interface EncoderDropout {
  /** on each sublayer's output before the residual add (BERT's hidden_dropout_prob) */
  hidden: number;
  /** on the attention probabilities (BERT's attention_probs_dropout_prob) */
  attention: number;
  /** int32/int64 scalar fed per step: the masks are a function of it */
  seed: Tensor;
}

export interface EncoderOptions {
  /** [B, T] bool, true at real tokens: no position attends to a padding position */
  padding?: Tensor;
  /** each position attends only to itself and earlier ones */
  causal?: boolean;
  /** training graphs; absent in evaluation */
  dropout?: EncoderDropout;
}

export interface EncoderResult {
  /** [B, T, d] */
  hidden: Tensor;
  /** per layer, the attention probabilities [B, heads, T, T] before dropout (attention maps) */
  attentions: Tensor[];
}

/** Runs `x` [B, T, d] through the encoder. Node names are scoped `encoder/layer<i>/attn|ffn/...`. */
export function transformerEncoder(
  x: Tensor,
  weights: EncoderWeights,
  config: EncoderConfig,
  options: EncoderOptions = {},
): EncoderResult {
  const g = x.graph;
  const [batch, length, d] = x.shape;
  if (x.rank !== 3 || d !== config.hidden || d % config.heads !== 0) {
    throw new ShapeError(
      'TransformerEncoder',
      `expected [batch, length, ${config.hidden}] with ${config.heads} heads dividing the width`,
      [x],
    );
  }
  if (weights.layers.length !== config.layers) {
    throw new Error(
      `transformerEncoder: ${weights.layers.length} layers of weights for ${config.layers} layers`,
    );
  }
  if (
    options.padding &&
    (options.padding.dtype !== 'bool' || options.padding.shape.join() !== `${batch},${length}`)
  ) {
    throw new ShapeError('TransformerEncoder', `the padding mask must be bool [${batch}, ${length}]`, [
      x,
      options.padding,
    ]);
  }
  return g.scope('encoder', () => {
    const bias = attentionMask(g, batch, length, options, x.dtype);
    // Rows of [B*T, d]: every projection is one plain 2-D MatMul, whose weight gradient is one
    // MatMul too (a [B, T, d] operand would give B batched products summed afterwards).
    let h = op.reshape(x, [batch * length, d]);
    const attentions: Tensor[] = [];
    weights.layers.forEach((w, i) => {
      g.scope(`layer${i}`, () => {
        const shape = { batch, length };
        const attention = (input: Tensor) => {
          const { output, probabilities } = selfAttention(input, w, config, shape, bias, options.dropout);
          attentions.push(probabilities);
          return output;
        };
        h = residual(g, 'attn', h, attention, w.attnNorm, config, options.dropout);
        h = residual(
          g,
          'ffn',
          h,
          (input) => feedForward(input, w, config),
          w.ffnNorm,
          config,
          options.dropout,
        );
      });
    });
    if (weights.finalNorm) h = g.scope('norm', () => layerNorm(h, weights.finalNorm!, config));
    return { hidden: op.reshape(h, [batch, length, d]), attentions };
  });
}

/** One additive bias [B or 1, 1, T, T] shared by every layer and head, or none. */
function attentionMask(
  g: Graph,
  batch: number,
  length: number,
  { padding, causal }: EncoderOptions,
  dtype: Tensor['dtype'],
): Tensor | undefined {
  return g.scope('mask', () => {
    let bias: Tensor | undefined;
    if (padding) bias = op.attentionBias(op.reshape(padding, [batch, 1, 1, length]), dtype);
    if (causal) {
      const lower = Array.from({ length: length * length }, (_, k) =>
        k % length <= Math.floor(k / length) ? 1 : 0,
      );
      const causalBias = op.attentionBias(g.constant(lower, [1, 1, length, length], 'bool', 'causal'), dtype);
      bias = bias ? op.add(bias, causalBias) : causalBias;
    }
    return bias;
  });
}

/** post-norm: LN(x + Dropout(f(x))); pre-norm: x + Dropout(f(LN(x))). Video encoders reuse it per sublayer. */
export function residual(
  g: Graph,
  name: string,
  x: Tensor,
  sublayer: (x: Tensor) => Tensor,
  norm: LayerNormWeights,
  config: EncoderConfig,
  drop: EncoderDropout | undefined,
): Tensor {
  return g.scope(name, () => {
    const dropped = (y: Tensor) => (drop ? op.dropout(y, { p: drop.hidden, seed: drop.seed }) : y);
    // The sublayer stays outside the norm scope, so profiles charge its ops to attn/ffn.
    if (config.norm === 'post') {
      const y = dropped(sublayer(x));
      return g.scope('norm', () => layerNorm(op.add(x, y), norm, config));
    }
    const normed = g.scope('norm', () => layerNorm(x, norm, config));
    return op.add(x, dropped(sublayer(normed)));
  });
}

function layerNorm(x: Tensor, { gamma, beta }: LayerNormWeights, config: EncoderConfig): Tensor {
  return op.layerNorm(x, gamma, beta, config.layerNormEps);
}

/**
 * Self-attention over rows x [B*T, d]: one fused q|k|v projection, heads as a batch axis,
 * scaled dot-product attention, heads merged, output projection. Divided space-time attention
 * calls it with frames or spatial positions as the batch.
 */
export function selfAttention(
  x: Tensor,
  w: Pick<LayerWeights, 'wqkv' | 'bqkv' | 'wo' | 'bo'>,
  config: EncoderConfig,
  { batch, length }: { batch: number; length: number },
  bias: Tensor | undefined,
  drop: EncoderDropout | undefined,
): { output: Tensor; probabilities: Tensor } {
  const { hidden: d, heads } = config;
  const width = d / heads;
  const qkv = op.linear(x, w.wqkv, w.bqkv);
  // [B*T, 3d] -> [3, B, heads, T, width]: one transpose for q, k and v together
  const stacked = op.transpose(op.reshape(qkv, [batch, length, 3, heads, width]), [2, 0, 3, 1, 4]);
  const [q, k, v] = op.split(stacked, 0, [1, 1, 1]).map((t) => op.reshape(t, [batch, heads, length, width]));
  const { output, weights } = op.scaledDotProductAttention(q, k, v, {
    mask: bias,
    dropout: drop && drop.attention > 0 ? { p: drop.attention, seed: drop.seed } : undefined,
  });
  const merged = op.reshape(op.mergeHeads(output), [batch * length, d]);
  return { output: op.linear(merged, w.wo, w.bo), probabilities: weights };
}

export function feedForward(
  x: Tensor,
  w: Pick<LayerWeights, 'w1' | 'b1' | 'w2' | 'b2'>,
  config: Pick<EncoderConfig, 'gelu'>,
): Tensor {
  return op.linear(op.gelu(op.linear(x, w.w1, w.b1), config.gelu), w.w2, w.b2);
}
