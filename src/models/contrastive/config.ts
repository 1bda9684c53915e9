// One schema for a contrastive-pairs run's settings: the CLI's --set pairs and the API's input are
// checked by it, the preset fills the rest, and the run stores the result as its config (with what
// the dataset decided: image size, channels, normalisation, split).
import { z } from 'zod';
import { withOverrides } from '../settings.ts';

const whole = (min: number, max: number) => z.number().int().min(min).max(max);

export const ContrastivePairsConfig = z.object({
  /** side of the images the encoder reads (0: the dataset's most common size); others are resized */
  image_size: whole(0, 1024),
  /** resnet: SimCLR's small ResNet then a linear map to dim; mlp: ReLU layers over the pixels */
  encoder: z.enum(['resnet', 'mlp']),
  /** resnet: channels of the stem (stage i has width x 2^i) */
  width: whole(1, 1024),
  /** resnet: stages, each after the first halving the side */
  stages: whole(1, 6),
  /** resnet: basic blocks per stage */
  blocks: whole(1, 16),
  /** mlp: width of the hidden layers */
  hidden: whole(4, 8192),
  /** mlp: hidden layers (ReLU after each) */
  layers: whole(1, 16),
  /** dimension of the embedding G_W(X) the pair loss measures distances in */
  dim: whole(2, 4096),
  /** m of the loss: dissimilar pairs are pushed apart until their distance reaches it */
  margin: z.number().positive().max(1000),
  lr: z.number().positive().max(1),
  /** warmup as a fraction of all updates, then cosine decay to 0 */
  warmup: z.number().min(0).max(0.5),
  weight_decay: z.number().min(0).max(1),
  clip_norm: z.number().positive(),
  /** pairs per step, half similar and half dissimilar */
  batch_size: whole(2, 65_536),
  epochs: whole(1, 100_000),
  /** stop after this many epochs without a better validation k-NN top-1 */
  patience: whole(1, 1000),
  /** stop training after this many seconds (0: no limit); the best epoch so far is kept */
  time_limit_s: z.number().min(0),
  /** neighbours voting in the validation k-NN (0: 200, or 20 under 2000 training images) */
  knn_k: whole(0, 100_000),
  /** part of the labelled images held out for testing when the dataset has no test split */
  test_fraction: z.number().min(0).max(0.9),
  /** part of the training images held out for validation (early stopping, best checkpoint) */
  validation_fraction: z.number().min(0).max(0.9),
  eval_batch: whole(1, 65_536),
  seed: whole(0, 2 ** 31 - 1),
});
export type ContrastivePairsConfig = z.infer<typeof ContrastivePairsConfig>;

export const presetNames = ['quick'] as const;
export type PresetName = (typeof presetNames)[number];

/** quick: seconds to a minute on the scikit-learn digits (8 x 8). */
export const presets: Record<PresetName, ContrastivePairsConfig> = {
  quick: {
    image_size: 0,
    encoder: 'resnet',
    width: 16,
    stages: 2,
    blocks: 1,
    hidden: 128,
    layers: 2,
    dim: 32,
    margin: 1,
    lr: 1e-3,
    warmup: 0.05,
    weight_decay: 1e-4,
    clip_norm: 5,
    batch_size: 64,
    epochs: 20,
    patience: 5,
    time_limit_s: 0,
    knn_k: 0,
    test_fraction: 0.2,
    validation_fraction: 0.1,
    eval_batch: 256,
    seed: 1,
  },
};

export const settingKeys = Object.keys(ContrastivePairsConfig.shape) as (keyof ContrastivePairsConfig)[];

/** The preset with the user's overrides, checked; a ZodError names each bad key. */
export function resolveConfig(
  preset: PresetName,
  overrides: Record<string, unknown> = {},
): ContrastivePairsConfig {
  return withOverrides(ContrastivePairsConfig, settingKeys, presets[preset], overrides);
}
