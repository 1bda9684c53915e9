// One schema for a video run's settings (ViViT's variants, TimeSformer, MViT, the frame-averaging
// baseline): it validates the CLI's --set pairs and the API's input, fills the preset's defaults,
// and is what the run stores as its config, with the sizes the dataset decided in `data`.
import { z } from 'zod';
import { withOverrides } from '../settings.ts';

const whole = (min: number, max: number) => z.number().int().min(min).max(max);
const fraction = z.number().min(0).max(0.95);

/**
 * The encoders a video run can use (./variants.ts). model1: spatio-temporal attention over every
 * token; model2: factorised encoder (spatial per time step, then temporal); model3: factorised
 * self-attention (spatial then temporal in each block); timesformer: divided space-time attention
 * (temporal then spatial, with [CLS]); model4: factorised dot-product attention (half the heads
 * spatial, half temporal; heads must be even); mvit: pooling attention in two stages derived from
 * hidden / layers / heads (layers >= 2; see mvitLayout); frame-average: an image ViT per frame,
 * representations averaged (no temporal modelling: the baseline).
 */
export const variantNames = [
  'model1',
  'model2',
  'model3',
  'model4',
  'timesformer',
  'mvit',
  'frame-average',
] as const;
export type VariantName = (typeof variantNames)[number];

const fields = z.object({
  variant: z.enum(variantNames),
  /** T: frames sampled uniformly from each clip */
  frames: whole(1, 256),
  /** clips with fewer frames than T: repeat them from the start (loop) or add black frames (pad) */
  short_clips: z.enum(['loop', 'pad']),
  /** side the frames are resized to (0: the dataset's most common frame size) */
  image_size: whole(0, 1024),
  /** P of the P x P patches (0: the smallest that tiles the frame into at most 4 x 4 patches) */
  patch: whole(0, 256),
  /** frames per tubelet (ViViT's t); 1 is uniform frame sampling with 2-D patches */
  tubelet: whole(1, 64),
  /**
   * how tubelet weights start from a 2-D patch embedding (init_from_run): the 2-D filter on the
   * tubelet's central frame and zeros elsewhere (ViViT's choice), or averaged over its frames
   */
  tubelet_init: z.enum(['central', 'average']),
  /** start the spatial weights (patch embedding, [CLS], positions, encoder) from this ViT run (0: none) */
  init_from_run: whole(0, 2 ** 31 - 1),
  hidden: whole(4, 4096),
  /** encoder layers (model2: the spatial encoder's; mvit: blocks, half in each of its 2 stages) */
  layers: whole(1, 48),
  /** model2: layers of the temporal encoder */
  temporal_layers: whole(1, 48),
  heads: whole(1, 64),
  /** MLP width; 0 means 4 x hidden */
  mlp: whole(0, 16384),
  dropout: fraction,
  attention_dropout: fraction,
  label_smoothing: z.number().min(0).max(0.5),
  lr: z.number().positive().max(1),
  /** warmup as a fraction of all updates, then cosine decay to 0 */
  warmup: z.number().min(0).max(0.5),
  weight_decay: z.number().min(0).max(1),
  clip_norm: z.number().positive(),
  batch_size: whole(1, 65_536),
  epochs: whole(1, 100_000),
  /** stop after this many epochs without a better validation accuracy */
  patience: whole(1, 1000),
  /** stop training after this many seconds (0: no limit); the best epoch so far is kept */
  time_limit_s: z.number().min(0),
  /** part of the labelled clips held out for testing when the dataset has no test split */
  test_fraction: z.number().min(0).max(0.9),
  /** part of the training clips held out for validation (early stopping, best checkpoint) */
  validation_fraction: z.number().min(0).max(0.9),
  eval_batch: whole(1, 65_536),
  seed: whole(0, 2 ** 31 - 1),
});

export const VivitConfig = fields.superRefine((c, ctx) => {
  if (c.hidden % c.heads !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['heads'],
      message: `heads (${c.heads}) must divide hidden (${c.hidden})`,
    });
  }
  if (c.variant === 'model4' && c.heads % 2 !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['heads'],
      message: `variant model4 gives half of the heads to space and half to time: heads (${c.heads}) must be even`,
    });
  }
  if (c.variant === 'mvit' && c.layers < 2) {
    ctx.addIssue({
      code: 'custom',
      path: ['layers'],
      message: `variant mvit splits its blocks over 2 stages: layers (${c.layers}) must be at least 2`,
    });
  }
  if (c.frames % c.tubelet !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['tubelet'],
      message: `tubelet (${c.tubelet}) must divide frames (${c.frames})`,
    });
  }
});
export type VivitConfig = z.infer<typeof VivitConfig>;

export const presetNames = ['quick', 'motion'] as const;
export type PresetName = (typeof presetNames)[number];

const quick: VivitConfig = {
  variant: 'model2',
  frames: 8,
  short_clips: 'loop',
  image_size: 0,
  patch: 0,
  tubelet: 2,
  tubelet_init: 'central',
  init_from_run: 0,
  hidden: 32,
  layers: 2,
  temporal_layers: 1,
  heads: 2,
  mlp: 0,
  dropout: 0,
  attention_dropout: 0,
  label_smoothing: 0.1,
  lr: 3e-3,
  warmup: 0.1,
  weight_decay: 0.05,
  clip_norm: 1,
  batch_size: 32,
  epochs: 15,
  patience: 5,
  time_limit_s: 0,
  test_fraction: 0.2,
  validation_fraction: 0.1,
  eval_batch: 128,
  seed: 1,
};

/**
 * quick: seconds on a few hundred small generated clips (tests).
 * motion: the generated motion dataset (8 frames of 32 x 32, patch 8, tubelets of 2 frames:
 * 64 tokens), d 64, 4 layers, 4 heads.
 */
export const presets: Record<PresetName, VivitConfig> = {
  quick,
  motion: {
    ...quick,
    hidden: 64,
    layers: 4,
    temporal_layers: 2,
    heads: 4,
    lr: 1e-3,
    batch_size: 64,
    epochs: 30,
    patience: 8,
  },
};

/** The keys a user may set: what `--set` parses. */
export const settingKeys = Object.keys(fields.shape) as (keyof VivitConfig)[];

/** The preset with the user's overrides, checked; a ZodError names each bad key. */
export function resolveConfig(preset: PresetName, overrides: Record<string, unknown> = {}): VivitConfig {
  return withOverrides(VivitConfig, settingKeys, presets[preset], overrides);
}

/**
 * The patch side for frames of `size`: the configured one (it must tile the frame), else the
 * smallest divisor of the side giving at most 4 patches per side (32 -> 8, 16 -> 4, 8 -> 2): a clip
 * has T / t times the tokens of an image, and Model 1 attends over all of them.
 */
export function patchSize(config: Pick<VivitConfig, 'patch'>, size: number): number {
  if (config.patch > 0) {
    if (size % config.patch !== 0) {
      throw new VideoShapeRefused(
        `patch ${config.patch} does not tile ${size} x ${size} frames; set patch to a divisor of ${size} (or image_size to a multiple of ${config.patch})`,
        'patch',
      );
    }
    return config.patch;
  }
  for (let p = 1; p <= size; p++) if (size % p === 0 && size / p <= 4) return p;
  return size;
}

/**
 * A setting the run cannot take at the data's frame size, found before the run starts (the
 * schema refuses what it can judge alone). Named so jobs hand it back as a refusal.
 */
export class VideoShapeRefused extends Error {
  constructor(
    message: string,
    readonly setting: keyof VivitConfig,
  ) {
    super(message);
    this.name = 'VideoShapeRefused';
  }
}

/** What a video model is built for once the dataset is known. */
export interface VideoShape {
  frames: number;
  channels: 1 | 3;
  size: number;
  patch: number;
  /** frames per tubelet (1 for the frame-averaging baseline, whatever the config says) */
  tubelet: number;
  classes: number;
}
