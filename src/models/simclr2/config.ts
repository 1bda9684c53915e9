// Settings of SimCLR v2's runs, checked like every model's: --set pairs and the API's input go
// through withOverrides, and each run stores its resolved settings. Pretraining is SimCLR's own
// trainer and schema with v2's 3-layer projection head; fine-tuning and distillation have their own.
import { z } from 'zod';
import { withOverrides } from '../settings.ts';
import {
  type PresetName,
  presetNames,
  SimclrConfig,
  settingKeys,
  presets as simclrPresets,
} from '../simclr/config.ts';

/**
 * SimCLR v2's pretraining presets: each of SimCLR's (quick, default, fashion) with the 3-layer
 * projection head (v2, section 2: a deeper head, whose first layer fine-tuning starts from). The
 * head's hidden width stays the representation's, as in the paper.
 */
export const pretrainPresets = Object.fromEntries(
  presetNames.map((name) => [name, { ...simclrPresets[name], head_layers: 3 }]),
) as Record<PresetName, SimclrConfig>;
// v2's fashion pretraining keeps the network its label-fraction table was measured with (width 16
// on the full 28 pixels, 10 epochs); v1's wider strided-stem network is not measured under v2
pretrainPresets.fashion = {
  ...pretrainPresets.fashion,
  resnet_width: 16,
  resnet_stem_stride: 1,
  epochs: 10,
};

export function resolvePretrainConfig(
  preset: PresetName,
  overrides: Record<string, unknown> = {},
): SimclrConfig {
  return withOverrides(SimclrConfig, settingKeys, pretrainPresets[preset], overrides);
}

const whole = (min: number, max: number) => z.number().int().min(min).max(max);

const optimisation = {
  /** peak learning rate of AdamW, after linear warmup, then cosine decay to 0 */
  lr: z.number().positive().max(10),
  warmup: z.number().min(0).max(0.5),
  weight_decay: z.number().min(0).max(1),
  batch_size: whole(1, 65_536),
  epochs: whole(1, 100_000),
  /** stop after this many epochs without a better validation top-1 */
  patience: whole(1, 1000),
  /** pixels of the random pad-and-crop shift of training images */
  shift: whole(0, 64),
  flip: z.boolean(),
  time_limit_s: z.number().min(0),
  eval_batch: whole(1, 65_536),
  seed: whole(0, 2 ** 31 - 1),
};

const finetuneFields = z.object({
  /**
   * part of each class's training images whose labels are used (SimCLR v2: 0.01, 0.1, 1); the
   * same part of the validation images chooses the best epoch
   */
  fraction: z
    .number()
    .gt(0, 'the labelled fraction must be above 0 (0.01 is 1 % of the labels)')
    .max(1, 'the labelled fraction is at most 1 (every label)'),
  /** pretrained: from the SimCLR run's encoder and head layer; scratch: the supervised baseline */
  init: z.enum(['pretrained', 'scratch']),
  ...optimisation,
});
export type FinetuneConfig = z.infer<typeof finetuneFields>;

const optimisationDefaults = {
  lr: 0.003,
  warmup: 0.1,
  weight_decay: 1e-4,
  batch_size: 64,
  epochs: 30,
  patience: 10,
  shift: 1,
  flip: false,
  time_limit_s: 0,
  eval_batch: 256,
  seed: 1,
};

const finetuneDefaults: FinetuneConfig = { fraction: 0.1, init: 'pretrained', ...optimisationDefaults };

/** The keys a user may set on fine-tuning, and on distillation. */
export const finetuneKeys = Object.keys(finetuneFields.shape) as (keyof FinetuneConfig)[];

export function resolveFinetuneConfig(overrides: Record<string, unknown> = {}): FinetuneConfig {
  return withOverrides(finetuneFields, finetuneKeys, finetuneDefaults, overrides);
}

const distillFields = z.object({
  /** ResNet stem width of the student (0: half the teacher's, at least 1) */
  student_width: whole(0, 1024),
  /** τ of the teacher's and the student's softmax */
  temperature: z.number().positive().max(100),
  /** weight of the labelled fraction's cross-entropy (the rest is distillation); 0: labels unused */
  label_weight: z.number().min(0).max(1),
  ...optimisation,
});
export type DistillConfig = z.infer<typeof distillFields>;

const distillDefaults: DistillConfig = {
  ...optimisationDefaults,
  student_width: 0,
  temperature: 1,
  label_weight: 0,
};

export const distillKeys = Object.keys(distillFields.shape) as (keyof DistillConfig)[];

export function resolveDistillConfig(overrides: Record<string, unknown> = {}): DistillConfig {
  return withOverrides(distillFields, distillKeys, distillDefaults, overrides);
}
