// SimCLR (Chen et al., ICML 2020): an encoder f(.) maps each augmented view to its representation
// h, a projection head g(.) maps h to z, and NT-Xent with temperature τ over the 2N views of a
// batch pulls each view towards its partner and away from the other 2N - 2. The head's hidden
// layers are linear-BatchNorm-ReLU and its last layer linear, as the reference implementation;
// `head_layers` 2 is v1's head and 3 is v2's. Training: LARS with linear warmup and cosine decay,
// optionally averaging the gradients of several steps per update. Inference returns h, which
// evaluation and the explorer use (the paper's finding: h, not z, is the better representation).
//
// The graph takes uint8 views [2R, C, H, W] (rows r and R + r are the two views of one image) and
// normalises them itself, so batches cross threads as bytes.
import { compileEvalStep, compileTrainStep, type StepContext } from '../../onnx/compile.ts';
import type { Graph, Tensor } from '../../onnx/graph.ts';
import { ntXent } from '../../onnx/losses.ts';
import * as op from '../../onnx/ops/index.ts';
import { lars, schedule } from '../../onnx/optim/index.ts';
import type { Program } from '../../onnx/program.ts';
import { representationWidth, resnetEncoder } from '../resnet/encoder.ts';
import { batchNormalisation, graphLayers, type Layers, parameter } from '../resnet/layers.ts';
import { resolveConfig as resolveVitConfig, type VitConfig } from '../vit/config.ts';
import { type Normalisation, normalisedPixels, vitEncoder } from '../vit/model.ts';
import type { SimclrConfig } from './config.ts';

/** What the model is built for once the dataset is known. */
export interface SimclrShape {
  channels: 1 | 3;
  size: number;
  /** ResNet stages for this side */
  stages: number;
  /** ViT patch for this side */
  patch: number;
}

/** The ViT settings of a SimCLR run's ViT encoder (no dropout, as SimCLR's encoders). */
export function vitSettings(config: SimclrConfig): VitConfig {
  return resolveVitConfig('quick', {
    hidden: config.vit_hidden,
    layers: config.vit_layers,
    heads: config.vit_heads,
    patch: config.vit_patch,
    seed: config.seed,
  });
}

/** Width of h. */
export function representationDim(config: SimclrConfig, shape: SimclrShape): number {
  return config.encoder === 'vit'
    ? config.vit_hidden
    : representationWidth({ width: config.resnet_width, stages: shape.stages, blocks: config.resnet_blocks });
}

/** h [B, D] of uint8 images [B, C, H, W]. */
export function encode(
  layers: Layers,
  images: Tensor,
  config: SimclrConfig,
  shape: SimclrShape,
  norm: Normalisation,
) {
  const pixels = layers.g.scope('pixels', () => normalisedPixels(images, norm));
  if (config.encoder === 'vit') {
    return vitEncoder(
      layers.g,
      pixels,
      vitSettings(config),
      { channels: shape.channels, size: shape.size, patch: shape.patch },
      null,
    ).cls;
  }
  return resnetEncoder(layers, pixels, {
    width: config.resnet_width,
    stages: shape.stages,
    blocks: config.resnet_blocks,
    stemStride: config.resnet_stem_stride,
  });
}

/** z = g(h): hidden layers linear (no bias: BatchNorm follows) - BatchNorm - ReLU, then linear. */
export function projectionHead(layers: Layers, h: Tensor, config: SimclrConfig): Tensor {
  return layers.g.scope('head', () => {
    let x = h;
    const hidden = config.head_hidden || h.shape[1];
    for (let i = 0; i < config.head_layers; i++) {
      const last = i === config.head_layers - 1;
      const width = last ? config.projection_dim : hidden;
      const inputs = x.shape[1];
      const w = parameter(layers, `head/layer${i}/w`, [inputs, width], {
        kind: 'xavier-uniform',
        fanIn: inputs,
        fanOut: width,
      });
      if (last) {
        x = op.linear(x, w, parameter(layers, `head/layer${i}/b`, [width], { kind: 'constant', value: 0 }));
      } else {
        x = op.relu(batchNormalisation(layers, `head/layer${i}/bn`, op.matmul(x, w)));
      }
    }
    return x;
  });
}

/**
 * Anchors whose most similar other view is their partner, halved so its sum over an epoch divided
 * by the images seen is the fraction (the contrastive task's top-1).
 */
function partnerFound(z: Tensor): Tensor {
  const g = z.graph;
  const rows = z.shape[0];
  const unit = op.l2Normalize(z);
  const similarity = op.matmul(unit, op.transposeLast(unit));
  const self = new Array<number>(rows * rows).fill(0);
  const partner = new Array<number>(rows * rows).fill(0);
  for (let i = 0; i < rows; i++) {
    self[i * rows + i] = 1;
    partner[i * rows + ((i + rows / 2) % rows)] = 1;
  }
  const masked = op.sub(similarity, op.mul(g.constant(self, [rows, rows], 'float32', 'self_pairs'), 4));
  const best = op.reduceMax(masked, [1], true);
  const partnerSimilarity = op.reduceSum(
    op.mul(masked, g.constant(partner, [rows, rows], 'float32', 'partner_pairs')),
    [1],
    true,
  );
  return op.mul(op.sumAll(op.cast(op.equal(partnerSimilarity, best), 'float32')), 0.5);
}

function build(
  g: Graph,
  context: StepContext,
  config: SimclrConfig,
  shape: SimclrShape,
  norm: Normalisation,
  rows: number,
) {
  const layers = graphLayers(g, { seed: config.seed, training: context.training });
  const images = g.input('images', [rows, shape.channels, shape.size, shape.size], 'uint8');
  const h = encode(layers, images, config, shape, norm);
  return { layers, h };
}

/**
 * The training step over `rows` images (2 rows views); `updates` is the number of optimizer
 * updates of the whole run (for the schedule), `accumulate` the steps per update.
 */
export function trainProgram(
  config: SimclrConfig,
  shape: SimclrShape,
  norm: Normalisation,
  rows: number,
  updates: number,
  accumulate: number,
): Program {
  const total = Math.max(updates, 2);
  return compileTrainStep({
    name: 'simclr_train',
    build: (g, context) => {
      const { layers, h } = build(g, context, config, shape, norm, 2 * rows);
      const z = projectionHead(layers, h, config);
      const loss = g.scope('loss', () => ntXent(z, config.temperature));
      return { loss, metrics: { correct: partnerFound(z) }, stateUpdates: layers.updates };
    },
    optimizer: lars({
      momentum: config.momentum,
      weightDecay: config.weight_decay,
      trustCoefficient: config.trust_coefficient,
    }),
    schedule: schedule.warmupCosineDecay({
      peak: config.lr,
      warmupSteps: Math.min(Math.round(config.warmup * total), total - 1),
      totalSteps: total,
    }),
    accumulate,
  });
}

/** h of a batch of `rows` images, BatchNorm on its running statistics. */
export function inferenceProgram(
  config: SimclrConfig,
  shape: SimclrShape,
  norm: Normalisation,
  rows: number,
): Program {
  return compileEvalStep({
    name: 'simclr_infer',
    build: (g, context) => ({ outputs: { embedding: build(g, context, config, shape, norm, rows).h } }),
  });
}
