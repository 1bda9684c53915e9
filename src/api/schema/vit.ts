// Image classification commands (ViT): train a run, evaluate it under the supervised protocol, and
// the throughput benchmark.
import { z } from 'zod';
import { presetNames } from '../../models/vit/config.ts';
import {
  ClassifierTest,
  Device,
  ImageData,
  Threads,
  trainingFigures,
  trainingInput,
  trainingProgress,
} from './training.ts';

export const VitTrainProgress = trainingProgress('images_per_s');

export const vitCommands = {
  'train.vit': {
    description:
      'Train a Vision Transformer classifier on an image dataset; stores the run, its metrics, the best checkpoint and every image embedding ([CLS])',
    /** default preset: the quick sizes for small images (up to 16 pixels), the fashion ones above */
    input: trainingInput(presetNames, 'default'),
    output: z.object({
      run: z.number().int(),
      model: z.literal('vit'),
      ...trainingFigures('images_per_s'),
      data: z.object({ ...ImageData, patch: z.number().int() }),
      validation_top1: z.number(),
      test: z.object(ClassifierTest),
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
      ...ClassifierTest,
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
      device: Device.default('cpu'),
      threads: Threads,
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
