// The video encoders a run can choose, by name: each maps normalised clips to one representation
// per clip, and the classifier head, the loss and the training are the same for all (./model.ts).
// Model 1 and Model 2 are ViViT's (Arnab et al., ICCV 2021, sections 3.3 and 3.4); frame-average
// is the baseline with no temporal modelling. The attention variants (Model 3 / TimeSformer's
// divided attention, Model 4, MViT's pooling attention) plug in here from ./attention-variants.ts.

import type { Graph, Tensor } from '../../onnx/graph.ts';
import * as op from '../../onnx/ops/index.ts';
import { encoderDropout, encodeTokens, vitEncoder } from '../vit/model.ts';
import { classToken, withClassAndPositions } from '../vit/tokens.ts';
import type { VariantName, VideoShape, VivitConfig } from './config.ts';
import { tubeletEmbedding } from './tokens.ts';

export interface VideoEncoderInput {
  g: Graph;
  /** normalised float32 clips [B, T, C, H, W] */
  pixels: Tensor;
  config: VivitConfig;
  shape: VideoShape;
  /** the step's dropout seed in a training graph, null in evaluation */
  dropoutSeed: Tensor | null;
}

/** A clip encoder: [B, d] representations, the head's input and the run's stored embeddings. */
export type VideoEncoder = (input: VideoEncoderInput) => Tensor;

/** Model 1: every spatio-temporal token attends to every other, [CLS] and positions over all of them. */
const model1: VideoEncoder = ({ g, pixels, config, shape, dropoutSeed }) => {
  const drop = encoderDropout(config, dropoutSeed);
  const x = g.scope('embedding', () =>
    withClassAndPositions(
      tubeletEmbedding(pixels, shape.tubelet, shape.patch, config.hidden, config.seed),
      config.seed,
      {},
      drop && { p: drop.hidden, seed: drop.seed },
    ),
  );
  return classToken(encodeTokens(x, config, drop).hidden);
};

/**
 * Model 2, the factorised encoder: a spatial encoder over the tokens of each time step with its own
 * [CLS] (late fusion), then a temporal encoder over the time steps' [CLS] outputs with a temporal
 * [CLS], whose output is the clip's representation. The spatial part is named as ViT's.
 */
const model2: VideoEncoder = ({ g, pixels, config, shape, dropoutSeed }) => {
  const drop = encoderDropout(config, dropoutSeed);
  const batch = pixels.shape[0];
  const steps = shape.frames / shape.tubelet;
  const perStep = (shape.size / shape.patch) ** 2;
  const d = config.hidden;
  const hiddenDrop = drop && { p: drop.hidden, seed: drop.seed };
  const spatialTokens = g.scope('embedding', () => {
    const tokens = tubeletEmbedding(pixels, shape.tubelet, shape.patch, d, config.seed);
    return withClassAndPositions(
      op.reshape(tokens, [batch * steps, perStep, d]),
      config.seed,
      {},
      hiddenDrop,
    );
  });
  const frameCls = op.reshape(classToken(encodeTokens(spatialTokens, config, drop).hidden), [
    batch,
    steps,
    d,
  ]);
  return g.scope('temporal', () => {
    const x = withClassAndPositions(
      frameCls,
      config.seed,
      { cls: 'temporal/cls', positions: 'temporal/positions' },
      hiddenDrop,
    );
    return classToken(
      encodeTokens(x, { ...config, layers: config.temporal_layers }, drop, 'temporal').hidden,
    );
  });
};

/** The baseline: an image ViT on every frame, the frames' [CLS] representations averaged. */
const frameAverage: VideoEncoder = ({ g, pixels, config, shape, dropoutSeed }) => {
  const [batch, frames, channels, height, width] = pixels.shape;
  const perFrame = op.reshape(pixels, [batch * frames, channels, height, width]);
  const { cls } = vitEncoder(g, perFrame, config, shape, dropoutSeed);
  return op.reduceMean(op.reshape(cls, [batch, frames, config.hidden]), [1]);
};

/** Every variant built so far; a name missing here is refused before a run starts. */
export const variants: Partial<Record<VariantName, VideoEncoder>> = {
  model1,
  model2,
  'frame-average': frameAverage,
};

/** Frames per tubelet a variant reads: the baseline sees frames one at a time, whatever the config says. */
export const tubeletOf = (config: Pick<VivitConfig, 'variant' | 'tubelet'>): number =>
  config.variant === 'frame-average' ? 1 : config.tubelet;
