// One schema for a ViT run's settings: it validates the CLI's --set pairs and the API's input,
// fills the preset's defaults, and is what the run stores as its config (with the sizes the
// dataset decided filled in: image size, channels and patch size).
import { z } from 'zod';
import { withOverrides } from '../settings.ts';

const whole = (min: number, max: number) => z.number().int().min(min).max(max);
const fraction = z.number().min(0).max(0.95);

const fields = z.object({
  /** side of the images the model reads (0: the dataset's most common size); others are resized */
  image_size: whole(0, 1024),
  /** P of the P x P patches (0: the smallest that tiles the image into at most 7 x 7 patches) */
  patch: whole(0, 256),
  hidden: whole(4, 4096),
  layers: whole(1, 48),
  heads: whole(1, 64),
  /** MLP width; 0 means 4 x hidden */
  mlp: whole(0, 16384),
  dropout: fraction,
  attention_dropout: fraction,
  /** ε of the label-smoothed cross-entropy */
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
  /** mirror training images left-right at random (not for digits or text) */
  flip: z.boolean(),
  /** shift training images by up to this many pixels */
  shift: whole(0, 64),
  /** part of the labelled images held out for testing when the dataset has no test split */
  test_fraction: z.number().min(0).max(0.9),
  /** part of the training images held out for validation (early stopping, best checkpoint) */
  validation_fraction: z.number().min(0).max(0.9),
  eval_batch: whole(1, 65_536),
  seed: whole(0, 2 ** 31 - 1),
});

export const VitConfig = fields.superRefine((c, ctx) => {
  if (c.hidden % c.heads !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['heads'],
      message: `heads (${c.heads}) must divide hidden (${c.hidden})`,
    });
  }
});
export type VitConfig = z.infer<typeof VitConfig>;

export const presetNames = ['default', 'quick', 'fashion'] as const;
export type PresetName = (typeof presetNames)[number];
/** The presets with fixed values; `default` picks one of them by the side of the images. */
export type SizedPreset = Exclude<PresetName, 'default'>;

const quick: VitConfig = {
  image_size: 0,
  patch: 0,
  hidden: 32,
  layers: 2,
  heads: 2,
  mlp: 0,
  dropout: 0,
  attention_dropout: 0,
  label_smoothing: 0.1,
  lr: 3e-3,
  warmup: 0.1,
  weight_decay: 0.05,
  clip_norm: 1,
  batch_size: 64,
  epochs: 15,
  patience: 5,
  time_limit_s: 0,
  flip: false,
  shift: 0,
  test_fraction: 0.2,
  validation_fraction: 0.1,
  eval_batch: 256,
  seed: 1,
};

/**
 * quick: seconds on the scikit-learn digits (8 x 8, patch 2: 16 tokens).
 * fashion: Fashion-MNIST (28 x 28, patch 4: 49 tokens), the size of the small public ViT
 * reproductions on it (dimension 64, 6 layers, 4 heads), with flips and 1-pixel shifts, for 45
 * minutes on 2 CPU cores (about 800 images/s there: 35 epochs). No dropout: with dropout 0.1 and
 * 2-pixel shifts, 33 epochs ended with the training top-1 (0.879) below the validation's (0.897),
 * a network held back by its regularisation rather than one that overfits, in that budget.
 */
export const presets: Record<SizedPreset, VitConfig> = {
  quick,
  fashion: {
    ...quick,
    hidden: 64,
    layers: 6,
    heads: 4,
    dropout: 0,
    lr: 1e-3,
    warmup: 0.05,
    batch_size: 128,
    epochs: 35,
    patience: 10,
    time_limit_s: 2700,
    flip: true,
    shift: 1,
    validation_fraction: 0.1,
  },
};

/**
 * The preset `default` takes for images of this side: quick up to 16 pixels (digits), fashion
 * above. Larger images keep the fashion sizes because the patch grows with the side (at most
 * 7 x 7 patches), so the tokens, and the cost per image, stay those of 28 x 28.
 */
export const presetForSide = (side: number): SizedPreset => (side <= 16 ? 'quick' : 'fashion');

/** The keys a user may set: what `--set` parses and the training form lists. */
export const settingKeys = Object.keys(fields.shape) as (keyof VitConfig)[];

/**
 * The preset with the user's overrides, checked; a ZodError names each bad key. `side` is the
 * dataset's image side, which `default` needs (an image_size override replaces it).
 */
export function resolveConfig(
  preset: PresetName,
  overrides: Record<string, unknown> = {},
  side?: number,
): VitConfig {
  if (preset !== 'default') return withOverrides(VitConfig, settingKeys, presets[preset], overrides);
  const read = Number(overrides.image_size) || side;
  if (read === undefined) throw new Error('the default ViT preset needs the side of the images');
  return withOverrides(VitConfig, settingKeys, presets[presetForSide(read)], overrides);
}

/**
 * Checks the overrides before the images are known: under `default` they must suit every preset
 * it may pick, so a run never fails on its settings after a job has started.
 */
export function checkSettings(preset: PresetName, overrides: Record<string, unknown>): void {
  if (preset !== 'default') resolveConfig(preset, overrides);
  else for (const sized of Object.keys(presets) as SizedPreset[]) resolveConfig(sized, overrides);
}

/** A preset and the user's overrides, resolved by the trainer once it knows the images' side. */
export interface PresetChoice {
  preset: PresetName;
  overrides: Record<string, unknown>;
}

/** What the model is built for once the dataset is known. */
export interface VitShape {
  channels: 1 | 3;
  size: number;
  patch: number;
  classes: number;
}

/**
 * The patch size for a side: the configured one (it must tile the image), else the smallest divisor
 * of the side giving at most 7 patches per side (28 -> 4, 8 -> 2, 32 -> 8, 224 -> 32).
 */
export function patchSize(config: VitConfig, size: number): number {
  if (config.patch > 0) {
    if (size % config.patch !== 0) {
      throw new z.ZodError([
        {
          code: 'custom',
          path: ['patch'],
          message: `patch ${config.patch} does not tile ${size} x ${size} images`,
          input: config.patch,
        },
      ]);
    }
    return config.patch;
  }
  for (let p = 1; p <= size; p++) if (size % p === 0 && size / p <= 7) return p;
  return size;
}

/** MLP width as configured. */
export const mlpWidth = (c: Pick<VitConfig, 'mlp' | 'hidden'>): number => c.mlp || 4 * c.hidden;
