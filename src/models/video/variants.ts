// The video encoders a run can choose, by name: each maps normalised clips to one representation
// per clip, and the classifier head, the loss and the training are the same for all (./model.ts).
// Every encoder reads the same tokens (t x P x P tubelets, t = 1 for 2-D patches, ./tokens.ts),
// and names its parameters as ViT does where they play ViT's part, so init_from_run can start them
// from an image run (./init-from-run.ts).
// - model1 (ViViT Model 1, Arnab et al. 2021, 3.3): joint space-time attention, [CLS] and one
//   learned position per token;
// - model2 (ViViT Model 2): a spatial encoder per time step with its own [CLS], then a temporal
//   encoder over the steps' [CLS] outputs;
// - model3 (ViViT Model 3): per block, spatial then temporal self-attention, then the MLP; no
//   [CLS] (the token grid has no place for it), the final-normed tokens averaged, as Scenic's
//   'gap' classifier does;
// - timesformer (Bertasius et al. 2021, divided space-time attention): per block, temporal then
//   spatial attention; TimeSformer's embedding (ViT's [CLS] and spatial positions, plus learned
//   time embeddings starting at zero) and its [CLS] routing (./attention-variants.ts);
// - model4 (ViViT Model 4): half the heads attend within the frame, half along time; tokens
//   averaged as in model3;
// - mvit (Fan et al. 2021, pooling attention): the stage layout `mvitLayout` derives from
//   hidden / layers / heads; one learned position per token (MViT separates space and time
//   positions, a factorisation of these); tokens averaged at the end (MViTv2's head, which
//   needs no [CLS]);
// - frame-average: an image ViT per frame, the frames' representations averaged (the baseline
//   with no temporal modelling).
import type { Graph, Tensor } from '../../onnx/graph.ts';
import * as op from '../../onnx/ops/index.ts';
import { type EncoderDropout, encoderWeights, parametersOf } from '../transformer/index.ts';
import { mlpWidth } from '../vit/config.ts';
import { encoderConfig, encoderDropout, encodeTokens, vitEncoder } from '../vit/model.ts';
import { classToken, seededParameter, type TokenDropout, withClassAndPositions } from '../vit/tokens.ts';
import {
  type DividedOrder,
  dividedEncoderWeights,
  dividedSpaceTimeEncoder,
  factorisedDotProductEncoder,
  type MvitConfig,
  mvitEncoder,
  mvitWeights,
  type TokenGrid,
} from './attention-variants.ts';
import { type VariantName, type VideoShape, VideoShapeRefused, type VivitConfig } from './config.ts';
import { tubeletEmbedding, withPositions } from './tokens.ts';

export interface VideoEncoderInput {
  g: Graph;
  /** normalised float32 clips [B, T, C, H, W] */
  pixels: Tensor;
  config: VivitConfig;
  shape: VideoShape;
  /** the step's dropout seed in a training graph, null in evaluation */
  dropoutSeed: Tensor | null;
}

/** A clip encoder: [B, width] representations, the head's input and the run's stored embeddings. */
export type VideoEncoder = (input: VideoEncoderInput) => Tensor;

/** The tubelet grid of a clip: time steps x rows x columns of patches. */
export const tokenGrid = (shape: VideoShape): TokenGrid => ({
  frames: shape.frames / shape.tubelet,
  height: shape.size / shape.patch,
  width: shape.size / shape.patch,
});

const tokenDropout = (drop: ReturnType<typeof encoderDropout>): TokenDropout | undefined =>
  drop && { p: drop.hidden, seed: drop.seed };

/** Model 1: every spatio-temporal token attends to every other, [CLS] and positions over all of them. */
const model1: VideoEncoder = ({ g, pixels, config, shape, dropoutSeed }) => {
  const drop = encoderDropout(config, dropoutSeed);
  const x = g.scope('embedding', () =>
    withClassAndPositions(
      tubeletEmbedding(pixels, shape.tubelet, shape.patch, config.hidden, config.seed),
      config.seed,
      {},
      tokenDropout(drop),
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
  const { frames: steps, height, width } = tokenGrid(shape);
  const d = config.hidden;
  const spatialTokens = g.scope('embedding', () => {
    const tokens = tubeletEmbedding(pixels, shape.tubelet, shape.patch, d, config.seed);
    return withClassAndPositions(
      op.reshape(tokens, [batch * steps, height * width, d]),
      config.seed,
      {},
      tokenDropout(drop),
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
      tokenDropout(drop),
    );
    return classToken(
      encodeTokens(x, { ...config, layers: config.temporal_layers }, drop, 'temporal').hidden,
    );
  });
};

/**
 * TimeSformer's embedding of tokens [B, steps * S, d]: ViT's [CLS] and its positions [1, 1 + S, d]
 * (the [CLS] position on [CLS], the others on every time step's patches, so an image run's values
 * fit as they are), plus a learned time embedding per step, zero at the start as TimeSformer's.
 */
function timesformerTokens(tokens: Tensor, grid: TokenGrid, seed: number, drop?: TokenDropout): Tensor {
  const g = tokens.graph;
  const [batch, , d] = tokens.shape;
  const patches = grid.height * grid.width;
  const zero = { kind: 'constant', value: 0 } as const;
  const cls = seededParameter(g, seed, 'embedding/cls', [1, 1, d], zero);
  const positions = seededParameter(g, seed, 'embedding/positions', [1, 1 + patches, d], {
    kind: 'normal',
    std: 0.02,
  });
  const time = seededParameter(g, seed, 'embedding/time', [1, grid.frames, d], zero);
  const [clsPosition, patchPositions] = op.split(positions, 1, [1, patches]);
  const placed = op.add(
    op.add(
      op.reshape(tokens, [batch, grid.frames, patches, d]),
      op.reshape(patchPositions, [1, 1, patches, d]),
    ),
    op.reshape(time, [1, grid.frames, 1, d]),
  );
  const x = op.concat(
    [
      op.expand(op.add(cls, clsPosition), [batch, 1, d]),
      op.reshape(placed, [batch, grid.frames * patches, d]),
    ],
    1,
  );
  return drop && drop.p > 0 ? op.dropout(x, { p: drop.p, seed: drop.seed }) : x;
}

/**
 * Divided space-time attention in `order`: ViViT Model 3 (space then time, tokens averaged) or
 * TimeSformer (time then space, its [CLS] the representation). Spatial attention, MLP and norms
 * carry the image encoder's names; each layer adds `encoder/layer<i>/temporal_attn/...`.
 */
function divided(order: DividedOrder, cls: boolean): VideoEncoder {
  return ({ g, pixels, config, shape, dropoutSeed }) => {
    const drop = encoderDropout(config, dropoutSeed);
    const grid = tokenGrid(shape);
    const x = g.scope('embedding', () => {
      const tokens = tubeletEmbedding(pixels, shape.tubelet, shape.patch, config.hidden, config.seed);
      return cls
        ? timesformerTokens(tokens, grid, config.seed, tokenDropout(drop))
        : withPositions(tokens, config.seed, tokenDropout(drop));
    });
    const encoder = encoderConfig(config);
    const weights = dividedEncoderWeights(parametersOf(g), encoder, config.seed);
    const { hidden } = dividedSpaceTimeEncoder(x, weights, encoder, { grid, cls, order, dropout: drop });
    return cls ? classToken(hidden) : op.reduceMean(hidden, [1]);
  };
}

/** The tubelet tokens [B, steps * S, d] with a learned position each and no [CLS] (Model 4, MViT). */
function gridTokens({ g, pixels, config, shape }: VideoEncoderInput, drop?: EncoderDropout): Tensor {
  return g.scope('embedding', () =>
    withPositions(
      tubeletEmbedding(pixels, shape.tubelet, shape.patch, config.hidden, config.seed),
      config.seed,
      tokenDropout(drop),
    ),
  );
}

/** Model 4: the image encoder's layers and weights, each attention's heads split between space and time. */
const model4: VideoEncoder = (input) => {
  const { g, config, shape, dropoutSeed } = input;
  const drop = encoderDropout(config, dropoutSeed);
  const grid = tokenGrid(shape);
  const x = gridTokens(input, drop);
  const encoder = encoderConfig(config);
  const weights = encoderWeights(parametersOf(g), encoder, config.seed);
  return op.reduceMean(factorisedDotProductEncoder(x, weights, encoder, { grid, dropout: drop }).hidden, [1]);
};

/**
 * MViT's stages from a run's hidden / layers / heads, as MViT-B lays them out at a smaller scale:
 * stage 1 has floor(layers / 2) blocks at width `hidden` with `heads` heads, on the full token
 * grid; stage 2 has the other blocks at twice the width and twice the heads (the head width stays
 * hidden / heads), its first block pooling the queries (and the skip) by [1, 2, 2]. Keys and values
 * are pooled to half the grid's side in every block (stride [1, 2, 2] in stage 1, then 1 on stage
 * 2's already pooled grid): MViT's adaptive kv stride, which keeps their resolution across stages.
 * Pooling is the mean over non-overlapping [1, 2, 2] windows, one of the pooling functions MViT
 * ablates (max and conv being the others; the paper finds them close): the gradient of
 * onnxruntime's MaxPool goes through 3-D Conv / ConvTranspose here (src/onnx/ops/conv.ts), and
 * a motion-preset step (batch 64, d 64, 4 blocks) took 520-690 ms with max pooling against
 * 140-240 ms with the mean on the shared 2-core machine. The mean needs an even grid side, which
 * `checkVariantShape` asks for. The MLP ratio is mlp / hidden (4 by default).
 */
export function mvitLayout(config: Pick<VivitConfig, 'hidden' | 'layers' | 'heads' | 'mlp'>): MvitConfig {
  const first = Math.floor(config.layers / 2);
  return {
    stages: [
      {
        blocks: first,
        hidden: config.hidden,
        heads: config.heads,
        queryStride: [1, 1, 1],
        kvStride: [1, 2, 2],
      },
      {
        blocks: config.layers - first,
        hidden: 2 * config.hidden,
        heads: 2 * config.heads,
        queryStride: [1, 2, 2],
        kvStride: [1, 1, 1],
      },
    ],
    mlpRatio: mlpWidth(config) / config.hidden,
    pool: 'avg',
    layerNormEps: 1e-6,
    gelu: 'none',
  };
}

const mvit: VideoEncoder = (input) => {
  const { g, config, shape, dropoutSeed } = input;
  const drop = encoderDropout(config, dropoutSeed);
  const grid = tokenGrid(shape);
  const x = gridTokens(input, drop);
  const layout = mvitLayout(config);
  const weights = mvitWeights(parametersOf(g), layout, grid, config.seed);
  return op.reduceMean(mvitEncoder(x, weights, layout, { grid, dropout: drop }).hidden, [1]);
};

/** The baseline: an image ViT on every frame, the frames' [CLS] representations averaged. */
const frameAverage: VideoEncoder = ({ g, pixels, config, shape, dropoutSeed }) => {
  const [batch, frames, channels, height, width] = pixels.shape;
  const perFrame = op.reshape(pixels, [batch * frames, channels, height, width]);
  const { cls } = vitEncoder(g, perFrame, config, shape, dropoutSeed);
  return op.reduceMean(op.reshape(cls, [batch, frames, config.hidden]), [1]);
};

export const variants: Record<VariantName, VideoEncoder> = {
  model1,
  model2,
  model3: divided('space-time', false),
  timesformer: divided('time-space', true),
  model4,
  mvit,
  'frame-average': frameAverage,
};

/** Frames per tubelet a variant reads: the baseline sees frames one at a time, whatever the config says. */
export const tubeletOf = (config: Pick<VivitConfig, 'variant' | 'tubelet'>): number =>
  config.variant === 'frame-average' ? 1 : config.tubelet;

/** Width of a clip's representation (the stored embeddings): MViT's last stage is twice as wide. */
export const representationWidth = (config: Pick<VivitConfig, 'variant' | 'hidden'>): number =>
  config.variant === 'mvit' ? 2 * config.hidden : config.hidden;

/**
 * Refuses shapes a variant cannot take once the frame size is known (the config's schema refuses
 * what it can alone: odd heads for model4, fewer than 2 layers for mvit): MViT halves the patch
 * grid's side, so the side (image_size / patch) must be even.
 */
export function checkVariantShape(
  config: Pick<VivitConfig, 'variant'>,
  shape: Pick<VideoShape, 'size' | 'patch'>,
): void {
  const side = shape.size / shape.patch;
  if (config.variant === 'mvit' && side % 2 !== 0) {
    throw new VideoShapeRefused(
      `variant mvit pools the patch grid by 2, but frames of ${shape.size} x ${shape.size} in patches of ${shape.patch} give a ${side} x ${side} grid; set patch (or image_size) so that image_size / patch is even`,
      'patch',
    );
  }
}
