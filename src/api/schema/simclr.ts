// Self-supervised image encoders without labels: SimCLR v1 (Chen et al. 2020).
import { z } from 'zod';
import { presetNames } from '../../models/simclr/config.ts';

export const device = z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']);

/** What a SimCLR training takes, reports and answers (v1's head, or v2's through train.simclr2). */
export const SimclrTraining = {
  input: z.object({
    dataset: z.string().min(1),
    preset: z.enum(presetNames).default('quick'),
    /** overrides of the preset, checked by the model's schema */
    settings: z.record(z.string(), z.unknown()).default({}),
    device: device.default('auto'),
    threads: z.number().int().min(1).max(256).optional(),
    /** continue this cancelled run from its last checkpoint */
    resume: z.number().int().positive().optional(),
  }),
  output: z.object({
    run: z.number().int(),
    model: z.literal('simclr'),
    seconds: z.number(),
    cpu_seconds: z.number(),
    device: z.string(),
    epochs: z.number().int(),
    steps: z.number().int(),
    best_epoch: z.number().int(),
    stopped: z.enum(['epochs', 'patience', 'time']),
    images_per_s: z.number(),
    data: z.object({
      channels: z.number().int(),
      image_size: z.number().int(),
      stages: z.number().int(),
      patch: z.number().int(),
      representation_dim: z.number().int(),
      classes: z.array(z.string()),
      normalisation: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
      split: z.object({
        train: z.number().int(),
        validation: z.number().int(),
        test: z.number().int(),
        test_from: z.enum(['dataset', 'stratified']),
        unlabelled: z.number().int(),
        classes: z.number().int(),
      }),
      train_images: z.number().int(),
      batch: z.number().int(),
      accumulate: z.number().int(),
      resized: z.number().int(),
      converted: z.number().int(),
    }),
    validation_knn_top1: z.number(),
    test_knn_top1: z.number(),
    embeddings: z.number().int(),
  }),
  progress: z.object({
    phase: z.enum(['loading', 'training', 'validation', 'storing']),
    epoch: z.number().int(),
    step: z.number().int(),
    loss: z.number().optional(),
    lr: z.number().optional(),
    images_per_s: z.number().optional(),
    eta_s: z.number().optional(),
    done: z.number().optional(),
    total: z.number().optional(),
  }),
};

export const simclrCommands = {
  'train.simclr': {
    description:
      "Train a SimCLR image encoder without labels (two augmented views per image, projection head, NT-Xent, LARS); stores the run, its metrics, the best checkpoint (validation k-NN top-1) and every image's representation h",
    ...SimclrTraining,
  },
} as const;
