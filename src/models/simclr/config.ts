// One schema for a SimCLR run's settings: it validates the CLI's --set pairs and the API's input,
// fills the preset's defaults, and is what the run stores as its config (with what the dataset
// decided: image size, channels, ResNet stages or ViT patch, the batch that fits the data).
import { z } from 'zod';
import { withOverrides } from '../settings.ts';

const whole = (min: number, max: number) => z.number().int().min(min).max(max);
const probability = z.number().min(0).max(1);

const fields = z.object({
  /** f(.): a ResNet with BatchNorm (the paper's), or a ViT */
  encoder: z.enum(['resnet', 'vit']),
  /** side of the images the model reads (0: the dataset's most common size); others are resized */
  image_size: whole(0, 1024),
  /** ResNet: channels of the stem, doubled at each later stage */
  resnet_width: whole(1, 1024),
  /** ResNet stages (0: as many as keep the last stage's side at 4 or more, at most 4: 8 -> 2, 28 -> 3, 32 -> 4, after the stem's stride) */
  resnet_stages: whole(0, 6),
  /**
   * ResNet stem stride: 1 keeps the image's side in the first stage (the paper's CIFAR stem), 2
   * halves it, so the same compute holds twice the width and h twice the dimensions
   */
  resnet_stem_stride: z.number().int().min(1).max(2).default(1),
  /** ResNet basic blocks per stage */
  resnet_blocks: whole(1, 16),
  vit_hidden: whole(4, 4096),
  vit_layers: whole(1, 48),
  vit_heads: whole(1, 64),
  /** ViT patch side (0: the smallest that tiles the image into at most 7 x 7 patches) */
  vit_patch: whole(0, 256),
  /** layers of the projection head g(.): 2 in SimCLR v1, 3 in v2; hidden layers are linear-BN-ReLU */
  head_layers: whole(1, 8),
  /** width of the head's hidden layers (0: the representation's width, as the paper) */
  head_hidden: whole(0, 16_384),
  /** width of z = g(h), where NT-Xent is computed */
  projection_dim: whole(1, 16_384),
  /** τ of NT-Xent */
  temperature: z.number().positive().max(10),
  /** peak learning rate of LARS (the paper: 0.3 x batch / 256, or 0.075 x sqrt(batch)) */
  lr: z.number().positive().max(100),
  /** warmup as a fraction of all updates, then cosine decay to 0 */
  warmup: z.number().min(0).max(0.5),
  weight_decay: z.number().min(0).max(1),
  momentum: z.number().min(0).max(0.999),
  /** η of LARS's trust ratio */
  trust_coefficient: z.number().positive().max(1),
  /** images per update: NT-Xent contrasts each image's two views against the other 2N - 2 views */
  batch_size: whole(2, 65_536),
  /**
   * images per step when a whole batch does not fit in memory (0: the whole batch): the update
   * then averages the gradients of batch_size / micro_batch steps, each contrasting its own views
   */
  micro_batch: whole(0, 65_536),
  epochs: whole(1, 100_000),
  /** stop after this many epochs without a better validation k-NN top-1 */
  patience: whole(1, 1000),
  /** stop training after this many seconds (0: no limit); the best epoch so far is kept */
  time_limit_s: z.number().min(0),
  /** smallest area fraction of the random resized crop */
  crop_min: z.number().min(0.01).max(1),
  /** probability of a left-right mirror (0 for digits and text) */
  flip: probability,
  /** colour distortion strength s (1 ImageNet, 0.5 CIFAR-10); greyscale images get brightness and contrast */
  colour: z.number().min(0).max(4),
  /** probability of the Gaussian blur */
  blur: probability,
  /** k of the validation k-NN (0: 200, or 20 when the memory holds fewer than 2000 images) */
  knn_k: whole(0, 10_000),
  /** training images whose representations form the validation k-NN memory (0: all) */
  knn_memory: whole(0, 10_000_000),
  /** part of the labelled images held out for testing when the dataset has no test split */
  test_fraction: z.number().min(0).max(0.9),
  /** part of the training images held out for validation (k-NN top-1 each epoch) */
  validation_fraction: z.number().min(0).max(0.9),
  eval_batch: whole(1, 65_536),
  seed: whole(0, 2 ** 31 - 1),
});

export const SimclrConfig = fields.superRefine((c, ctx) => {
  if (c.vit_hidden % c.vit_heads !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['vit_heads'],
      message: `vit_heads (${c.vit_heads}) must divide vit_hidden (${c.vit_hidden})`,
    });
  }
  if (c.micro_batch > 0 && c.batch_size % c.micro_batch !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['micro_batch'],
      message: `micro_batch (${c.micro_batch}) must divide batch_size (${c.batch_size})`,
    });
  }
});
export type SimclrConfig = z.infer<typeof SimclrConfig>;

export const presetNames = ['quick', 'default', 'fashion'] as const;
export type PresetName = (typeof presetNames)[number];

const quick: SimclrConfig = {
  encoder: 'resnet',
  image_size: 0,
  resnet_width: 8,
  resnet_stages: 0,
  resnet_stem_stride: 1,
  resnet_blocks: 1,
  vit_hidden: 32,
  vit_layers: 2,
  vit_heads: 2,
  vit_patch: 0,
  head_layers: 2,
  head_hidden: 0,
  projection_dim: 32,
  temperature: 0.5,
  lr: 1,
  warmup: 0.1,
  weight_decay: 1e-6,
  momentum: 0.9,
  trust_coefficient: 0.001,
  batch_size: 64,
  micro_batch: 0,
  epochs: 10,
  patience: 10,
  time_limit_s: 0,
  crop_min: 0.3,
  flip: 0,
  colour: 0.5,
  blur: 0,
  knn_k: 0,
  knn_memory: 0,
  test_fraction: 0.2,
  validation_fraction: 0.1,
  eval_batch: 256,
  seed: 1,
};

/**
 * quick: seconds on the scikit-learn digits (8 x 8) and the test fixtures.
 * default: any dataset, sizes from its images (ResNet stages by side), the CIFAR-10 settings of
 * the paper scaled down (τ 0.5, colour 0.5, LARS, batch 256).
 * fashion: Fashion-MNIST (28 x 28 greyscale) within 45 minutes of training on 2 CPU cores: a
 * stride-2 stem then a 3-stage ResNet of width 32 (14, 7, 4 pixels; h of 128), batch 256, crops
 * from 20% of the area, flips (garments are nearly symmetric), no blur (a 3-pixel kernel on 28
 * pixels mostly erases strokes), a validation k-NN memory of 10 000 training images so validation
 * stays a small part of an epoch. The strided stem: at width 16 on the full 28 pixels (h of 64) the
 * network trained 220 images/s; at width 32 on 14 pixels 396 in a 2-minute probe and 365 over a
 * whole run (wider convolutions use the cores better), so h doubles and more epochs fit. Sixteen
 * epochs: what 45 minutes hold at about 155 s an epoch, so the warmup and the cosine decay run to
 * their end (with 100 epochs the time limit stopped the run inside its warmup, at a tenth of the
 * peak learning rate).
 */
export const presets: Record<PresetName, SimclrConfig> = {
  quick,
  default: {
    ...quick,
    resnet_width: 16,
    projection_dim: 64,
    batch_size: 256,
    epochs: 100,
    patience: 20,
    crop_min: 0.2,
    flip: 0.5,
    blur: 0.5,
    knn_memory: 10_000,
  },
  fashion: {
    ...quick,
    resnet_width: 32,
    resnet_stages: 3,
    resnet_stem_stride: 2,
    projection_dim: 64,
    batch_size: 256,
    epochs: 16,
    patience: 10,
    time_limit_s: 2700,
    crop_min: 0.2,
    flip: 0.5,
    knn_memory: 10_000,
  },
};

/** The keys a user may set: what `--set` parses and the training form lists. */
export const settingKeys = Object.keys(fields.shape) as (keyof SimclrConfig)[];

/** The preset with the user's overrides, checked; a ZodError names each bad key. */
export function resolveConfig(preset: PresetName, overrides: Record<string, unknown> = {}): SimclrConfig {
  return withOverrides(SimclrConfig, settingKeys, presets[preset], overrides);
}

/**
 * ResNet stages for a side: the configured number, else as many as keep the last side >= 4 (at
 * most 4), counted from the side the stem leaves.
 */
export function resnetStages(config: SimclrConfig, size: number): number {
  if (config.resnet_stages > 0) return config.resnet_stages;
  const side = Math.ceil(size / config.resnet_stem_stride);
  let stages = 1;
  while (stages < 4 && Math.floor(side / 2 ** stages) >= 4) stages++;
  return stages;
}
