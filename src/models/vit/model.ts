// The Vision Transformer (Dosovitskiy et al., ICLR 2021) over the shared Transformer encoder:
// the image cut into P x P patches, each linearly projected to d, a learned [CLS] token prepended,
// learned position embeddings added, a pre-norm encoder (MHSA + GELU MLP, final LayerNorm), and
// a linear classification head on the [CLS] output. Training: label-smoothed cross-entropy,
// AdamW with linear warmup and cosine decay, global-norm clipping.
//
// The graph takes the images as uint8 [B, C, H, W] and normalises them itself with the training
// split's per-channel mean and std, so batches cross threads as bytes.
import { compileEvalStep, compileTrainStep } from '../../onnx/compile.ts';
import type { Graph, Tensor } from '../../onnx/graph.ts';
import { softmaxCrossEntropy } from '../../onnx/losses.ts';
import * as op from '../../onnx/ops/index.ts';
import { adamw, schedule } from '../../onnx/optim/index.ts';
import type { Program } from '../../onnx/program.ts';
import {
  type EncoderConfig,
  type EncoderDropout,
  type EncoderResult,
  encoderWeights,
  parametersOf,
  transformerEncoder,
} from '../transformer/index.ts';
import { initialValues } from '../transformer/init.ts';
import { mlpWidth, type VitConfig, type VitShape } from './config.ts';
import { classToken, patchProjection, withClassAndPositions } from './tokens.ts';

/** Per-channel statistics of pixel / 255 over the training images. */
export interface Normalisation {
  mean: number[];
  std: number[];
}

export function encoderConfig(config: Pick<VitConfig, 'layers' | 'hidden' | 'heads' | 'mlp'>): EncoderConfig {
  return {
    layers: config.layers,
    hidden: config.hidden,
    heads: config.heads,
    ffn: mlpWidth(config),
    norm: 'pre',
    gelu: 'none',
    layerNormEps: 1e-6,
    init: { kind: 'vit' },
  };
}

interface Network {
  /** [B, d] the final-normed [CLS] output: the image's representation */
  cls: Tensor;
  /** [B, classes] */
  logits: Tensor;
  /** per layer, attention probabilities [B, heads, T, T] (token 0 is [CLS]) */
  attentions: Tensor[];
}

/** uint8 images [B, C, H, W] as float32, normalised per channel: (p / 255 - mean) / std. */
export function normalisedPixels(images: Tensor, norm: Normalisation): Tensor {
  const g = images.graph;
  const channels = images.shape[1];
  const mean = g.constant(norm.mean, [1, channels, 1, 1], 'float32', 'pixel_mean');
  const scale = g.constant(
    norm.std.map((s) => 1 / (255 * s)),
    [1, channels, 1, 1],
    'float32',
    'pixel_scale',
  );
  // (p / 255 - mean) / std = (p - 255 mean) / (255 std)
  return op.mul(op.sub(op.cast(images, 'float32'), op.mul(mean, 255)), scale);
}

/** The encoder's sizes and seeds: what ViT and the video models built on it share. */
export type EncoderSettings = Pick<
  VitConfig,
  'layers' | 'hidden' | 'heads' | 'mlp' | 'dropout' | 'attention_dropout' | 'seed'
>;

/** The encoder's dropout in a training graph (none in evaluation or when both rates are 0). */
export function encoderDropout(config: EncoderSettings, seed: Tensor | null): EncoderDropout | undefined {
  return seed && (config.dropout > 0 || config.attention_dropout > 0)
    ? { hidden: config.dropout, attention: config.attention_dropout, seed }
    : undefined;
}

/** Embedded tokens [B, L, d] through the pre-norm encoder whose parameters are named under `prefix`. */
export function encodeTokens(
  x: Tensor,
  config: EncoderSettings,
  drop: EncoderDropout | undefined,
  prefix = 'encoder',
): EncoderResult {
  const encoder = encoderConfig(config);
  const weights = encoderWeights(parametersOf(x.graph), encoder, config.seed, { prefix });
  return transformerEncoder(x, weights, encoder, { dropout: drop });
}

/** The encoder without the head: the [CLS] representation of normalised pixels, and the attention maps. */
export function vitEncoder(
  g: Graph,
  pixels: Tensor,
  config: EncoderSettings,
  shape: Omit<VitShape, 'classes'>,
  dropoutSeed: Tensor | null,
): Omit<Network, 'logits'> {
  const { patch } = shape;
  const drop = encoderDropout(config, dropoutSeed);
  const x = g.scope('embedding', () =>
    withClassAndPositions(
      patchProjection(op.patches(pixels, [patch, patch]), config.hidden, config.seed),
      config.seed,
      {},
      drop && { p: drop.hidden, seed: drop.seed },
    ),
  );
  const { hidden, attentions } = encodeTokens(x, config, drop);
  return { cls: classToken(hidden), attentions };
}

function network(
  g: Graph,
  images: Tensor,
  config: VitConfig,
  shape: VitShape,
  norm: Normalisation,
  dropoutSeed: Tensor | null,
): Network {
  const pixels = g.scope('embedding', () => normalisedPixels(images, norm));
  const { cls, attentions } = vitEncoder(g, pixels, config, shape, dropoutSeed);
  const d = config.hidden;
  const logits = g.scope('head', () =>
    op.linear(
      cls,
      // the reference zero-initialises the head
      g.parameter('head/w', [d, shape.classes], {
        values: initialValues(config.seed, 'head/w', [d, shape.classes], { kind: 'constant', value: 0 }),
      }),
      g.parameter('head/b', [shape.classes], {
        values: initialValues(config.seed, 'head/b', [shape.classes], { kind: 'constant', value: 0 }),
      }),
    ),
  );
  return { cls, logits, attentions };
}

/** Correct predictions among the rows with a label (filler rows carry -1). */
export function correct(logits: Tensor, labels: Tensor): Tensor {
  const g = logits.graph;
  const classes = logits.shape[1];
  const best = op.reduceMax(logits, [1], true);
  // the first class reaching the maximum: argmax without an ArgMax op
  const index = g.constant(
    Array.from({ length: classes }, (_, i) => i),
    [1, classes],
    'float32',
    'class_index',
  );
  const atMax = op.where(op.equal(logits, best), index, classes);
  const predicted = op.neg(op.reduceMax(op.neg(atMax), [1]));
  return op.sumAll(op.cast(op.equal(predicted, op.cast(labels, 'float32')), 'float32'));
}

export function trainProgram(
  config: VitConfig,
  shape: VitShape,
  norm: Normalisation,
  rows: number,
  totalSteps: number,
): Program {
  const total = Math.max(totalSteps, 2);
  return compileTrainStep({
    name: 'vit_train',
    build: (g) => {
      const images = g.input('images', [rows, shape.channels, shape.size, shape.size], 'uint8');
      const labels = g.input('labels', [rows], 'int64');
      const seed = g.input('seed', [], 'int64');
      const net = network(g, images, config, shape, norm, seed);
      const loss = g.scope('loss', () =>
        softmaxCrossEntropy(net.logits, labels, { ignoreIndex: -1, labelSmoothing: config.label_smoothing }),
      );
      return { loss, metrics: { correct: correct(net.logits, labels) } };
    },
    optimizer: adamw({ weightDecay: config.weight_decay }),
    schedule: schedule.warmupCosineDecay({
      peak: config.lr,
      warmupSteps: Math.min(Math.round(config.warmup * total), total - 1),
      totalSteps: total,
    }),
    clipNorm: config.clip_norm,
  });
}

/** Logits and the [CLS] representation of a batch; optionally the attention maps. */
export function inferenceProgram(
  config: VitConfig,
  shape: VitShape,
  norm: Normalisation,
  rows: number,
  { attentions = false }: { attentions?: boolean } = {},
): Program {
  return compileEvalStep({
    name: 'vit_infer',
    build: (g) => {
      const images = g.input('images', [rows, shape.channels, shape.size, shape.size], 'uint8');
      const net = network(g, images, config, shape, norm, null);
      const outputs: Record<string, Tensor> = { logits: net.logits, embedding: net.cls };
      if (attentions) {
        net.attentions.forEach((a, i) => {
          outputs[`attention${i}`] = a;
        });
      }
      return { outputs };
    },
  });
}
