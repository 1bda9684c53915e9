// Image classification commands (ViT): train a run, evaluate it under the supervised protocol, and
// the throughput benchmark.
import { z } from 'zod';
import { presetNames } from '../../models/vit/config.ts';

const device = z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']);

const Supervised = {
  top1: z.number(),
  images: z.number().int(),
  classes: z.array(z.string()),
  /** confusion[true][predicted] counts, classes in `classes` order */
  confusion: z.array(z.array(z.number().int())),
  per_class_top1: z.array(z.number()),
};

export const VitTrainProgress = z.object({
  phase: z.enum(['loading', 'training', 'validation', 'test', 'storing']),
  epoch: z.number().int(),
  step: z.number().int(),
  loss: z.number().optional(),
  lr: z.number().optional(),
  images_per_s: z.number().optional(),
  eta_s: z.number().optional(),
  done: z.number().optional(),
  total: z.number().optional(),
});

export const vitCommands = {
  'train.vit': {
    description:
      'Train a Vision Transformer classifier on an image dataset; stores the run, its metrics, the best checkpoint and every image embedding ([CLS])',
    input: z.object({
      dataset: z.string().min(1),
      /** default: the quick sizes for small images (up to 16 pixels), the fashion ones above */
      preset: z.enum(presetNames).default('default'),
      /** overrides of the preset, checked by the model's schema */
      settings: z.record(z.string(), z.unknown()).default({}),
      device: device.default('auto'),
      threads: z.number().int().min(1).max(256).optional(),
      /** continue this cancelled run from its last checkpoint */
      resume: z.number().int().positive().optional(),
    }),
    output: z.object({
      run: z.number().int(),
      model: z.literal('vit'),
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
        patch: z.number().int(),
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
        batch: z.number().int(),
        resized: z.number().int(),
        converted: z.number().int(),
      }),
      validation_top1: z.number(),
      test: z.object(Supervised),
      embeddings: z.number().int(),
    }),
    progress: VitTrainProgress,
  },
  'eval.supervised': {
    description:
      "Top-1 accuracy and confusion matrix of a classifier run's best checkpoint on its test split",
    input: z.object({ run: z.number().int().positive() }),
    output: z.object({
      run: z.number().int(),
      /** vit: an image classifier run; vivit: a video classifier run */
      model: z.enum(['vit', 'vivit']),
      protocol: z.literal('supervised'),
      split: z.literal('test'),
      ...Supervised,
      seconds: z.number(),
    }),
    progress: z.object({ done: z.number().int(), total: z.number().int() }),
  },
  'vit.attention': {
    description:
      "Where a ViT run looks in one image of its dataset: per layer and head the [CLS] token's attention over the patches, and attention rollout over all layers, from the best checkpoint",
    input: z.object({
      run: z.number().int().positive(),
      /** the image's entity id, or its key (file name) */
      entity: z.union([z.number().int().positive(), z.string().min(1)]),
    }),
    output: z.object({
      run: z.number().int(),
      entity: z.object({ id: z.number().int(), key: z.string() }),
      label: z.string().nullable(),
      predicted: z.string(),
      confidence: z.number(),
      image_size: z.number().int(),
      patch: z.number().int(),
      /** patches per side: each map is grid x grid, row-major from the top left */
      grid: z.number().int(),
      layers: z.number().int(),
      heads: z.number().int(),
      /** [layer][head][patch]: the [CLS] row of the attention probabilities over the patches */
      cls: z.array(z.array(z.array(z.number()))),
      /** [patch]: the [CLS] row of the attention rollout (Abnar & Zuidema 2020), summing to 1 */
      rollout: z.array(z.number()),
    }),
    progress: z.never(),
  },
  'bench.vit': {
    description:
      "ViT training and inference images per second on generated images of a preset's dataset shape",
    input: z.object({
      preset: z.enum(presetNames).default('fashion'),
      size: z.number().int().min(2).max(1024).default(28),
      channels: z.union([z.literal(1), z.literal(3)]).default(1),
      classes: z.number().int().min(2).max(100_000).default(10),
      steps: z.number().int().min(1).default(10),
      warmup: z.number().int().min(0).default(2),
      device: device.default('cpu'),
      threads: z.number().int().min(1).max(256).optional(),
      seed: z.number().int().nonnegative().default(1),
    }),
    output: z.object({
      preset: z.enum(presetNames),
      image_size: z.number().int(),
      channels: z.number().int(),
      patch: z.number().int(),
      hidden: z.number().int(),
      layers: z.number().int(),
      batch: z.number().int(),
      train_images_per_s: z.number(),
      train_ms_per_step: z.number(),
      train_images_per_cpu_s: z.number(),
      eval_batch: z.number().int(),
      inference_images_per_s: z.number(),
      inference_ms_per_batch: z.number(),
      inference_images_per_cpu_s: z.number(),
      steps: z.number().int(),
      device: z.string(),
      threads: z.number().int(),
      cpu_seconds: z.number(),
      load_average: z.number(),
    }),
    progress: z.never(),
  },
} as const;
