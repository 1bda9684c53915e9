// Settings of SimCLR v2's fine-tuning and distillation runs, checked like every model's: --set pairs
// and the API's input go through withOverrides, and the run stores the resolved settings.
import { z } from 'zod';
import { withOverrides } from '../settings.ts';

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
  /** part of each class's training images whose labels are used (SimCLR v2: 0.01, 0.1, 1) */
  fraction: z.number().gt(0).max(1),
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

export function resolveFinetuneConfig(overrides: Record<string, unknown> = {}): FinetuneConfig {
  return withOverrides(
    finetuneFields,
    Object.keys(finetuneFields.shape) as (keyof FinetuneConfig)[],
    finetuneDefaults,
    overrides,
  );
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

export function resolveDistillConfig(overrides: Record<string, unknown> = {}): DistillConfig {
  return withOverrides(
    distillFields,
    Object.keys(distillFields.shape) as (keyof DistillConfig)[],
    distillDefaults,
    overrides,
  );
}
