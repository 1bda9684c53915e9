// The Siamese network of the contrastive pair loss (Hadsell, Chopra, LeCun, CVPR 2006): one encoder
// G_W with shared weights maps both images of a pair to embeddings, and
//   L = (1 - Y) ½ D² + Y ½ max(0, m - D)²,   D = ||G_W(X1) - G_W(X2)||₂
// pulls similar pairs (Y = 0) together and pushes dissimilar ones (Y = 1) apart up to the margin m.
// Both members go through the encoder as one batch of 2B images, so the weights are shared by
// construction (and BatchNorm sees one batch, so its running statistics move once a step). The
// encoder is the small ResNet of src/models/resnet (SimCLR's backbone) followed by a linear map to
// the embedding, or a multilayer perceptron over the pixels (ReLU hidden layers, a linear output)
// for a cheaper run. AdamW with warmup and cosine decay, global-norm clipping.
//
// The graph takes images as uint8 [B, C, H, W] and normalises them with the training split's
// per-channel mean and std, so batches cross threads as bytes.
import { compileEvalStep, compileTrainStep } from '../../onnx/compile.ts';
import type { Tensor } from '../../onnx/graph.ts';
import { contrastivePairLoss } from '../../onnx/losses.ts';
import * as op from '../../onnx/ops/index.ts';
import { adamw, schedule } from '../../onnx/optim/index.ts';
import type { Program } from '../../onnx/program.ts';
import { resnetEncoder } from '../resnet/encoder.ts';
import { graphLayers, type Layers, parameter } from '../resnet/layers.ts';
import type { Normalisation } from '../vit/model.ts';
import type { ContrastivePairsConfig } from './config.ts';

export interface ImageShape {
  channels: 1 | 3;
  size: number;
}

/** A linear layer of `layers` from x's width to `out`. */
function dense(layers: Layers, name: string, x: Tensor, out: number): Tensor {
  const into = x.shape[1];
  const w = parameter(layers, `${name}/w`, [into, out], { kind: 'xavier-uniform', fanIn: into, fanOut: out });
  return op.linear(x, w, parameter(layers, `${name}/b`, [out], { kind: 'constant', value: 0 }));
}

/** G_W: the embedding [B, dim] of uint8 images [B, C, H, W]. */
function encoder(
  layers: Layers,
  images: Tensor,
  config: ContrastivePairsConfig,
  norm: Normalisation,
): Tensor {
  const { g } = layers;
  const [batch, channels, height, width] = images.shape;
  return g.scope('encoder', () => {
    const mean = g.constant(norm.mean, [1, channels, 1, 1], 'float32', 'pixel_mean');
    const scale = g.constant(
      norm.std.map((s) => 1 / (255 * s)),
      [1, channels, 1, 1],
      'float32',
      'pixel_scale',
    );
    // (p / 255 - mean) / std = (p - 255 mean) / (255 std)
    const pixels = op.mul(op.sub(op.cast(images, 'float32'), op.mul(mean, 255)), scale);
    if (config.encoder === 'resnet') {
      const h = resnetEncoder(layers, pixels, {
        width: config.width,
        stages: config.stages,
        blocks: config.blocks,
      });
      return dense(layers, 'encoder/embedding', h, config.dim);
    }
    let x = op.reshape(pixels, [batch, channels * height * width]);
    for (let i = 0; i < config.layers; i++) x = op.relu(dense(layers, `encoder/layer${i}`, x, config.hidden));
    return dense(layers, 'encoder/embedding', x, config.dim);
  });
}

export function trainProgram(
  config: ContrastivePairsConfig,
  shape: ImageShape,
  norm: Normalisation,
  rows: number,
  totalSteps: number,
): Program {
  const total = Math.max(totalSteps, 2);
  return compileTrainStep({
    name: 'contrastive_pairs_train',
    build: (g, { training }) => {
      const layers = graphLayers(g, { seed: config.seed, training });
      const dims = [rows, shape.channels, shape.size, shape.size];
      const first = g.input('first', dims, 'uint8');
      const second = g.input('second', dims, 'uint8');
      const dissimilar = g.input('dissimilar', [rows], 'int64');
      const both = encoder(layers, op.concat([first, second], 0), config, norm);
      const [a, b] = op.split(both, 0, [rows, rows]);
      const loss = g.scope('loss', () => contrastivePairLoss(a, b, dissimilar, { margin: config.margin }));
      return { loss, stateUpdates: layers.updates };
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

/** The embedding of each image of a batch: the run's representation. */
export function inferenceProgram(
  config: ContrastivePairsConfig,
  shape: ImageShape,
  norm: Normalisation,
  rows: number,
): Program {
  return compileEvalStep({
    name: 'contrastive_pairs_infer',
    build: (g, { training }) => {
      const layers = graphLayers(g, { seed: config.seed, training });
      const images = g.input('images', [rows, shape.channels, shape.size, shape.size], 'uint8');
      return { outputs: { embedding: encoder(layers, images, config, norm) } };
    },
  });
}
