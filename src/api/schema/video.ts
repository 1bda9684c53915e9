// Video commands: generate a motion dataset from images, and train a video transformer (ViViT's
// variants, TimeSformer, MViT, the frame-averaging baseline). `eval.supervised` scores video runs too.
import { z } from 'zod';
import { presetNames, variantNames } from '../../models/video/config.ts';

const device = z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']);

export const VideoTrainProgress = z.object({
  phase: z.enum(['loading', 'training', 'validation', 'test', 'storing']),
  epoch: z.number().int(),
  step: z.number().int(),
  loss: z.number().optional(),
  lr: z.number().optional(),
  clips_per_s: z.number().optional(),
  eta_s: z.number().optional(),
  done: z.number().optional(),
  total: z.number().optional(),
});

export const videoCommands = {
  'generate.motion': {
    description:
      'Write a labelled video dataset whose label only motion reveals: objects (images of an image dataset, or drawn digits) sliding left or right in one or two lanes, classed by their directions',
    input: z.object({
      name: z.string().min(1),
      /** an image dataset of the workspace whose images become the moving objects (default: drawn digits) */
      from: z.string().min(1).optional(),
      clips: z.number().int().min(2).max(1_000_000).default(3000),
      frames: z.number().int().min(2).max(256).default(8),
      size: z.number().int().min(8).max(1024).default(32),
      lanes: z.union([z.literal(1), z.literal(2)]).default(2),
      seed: z.number().int().nonnegative().default(1),
    }),
    output: z.object({
      dataset: z.string(),
      clips: z.number().int(),
      classes: z.array(z.string()),
      frames: z.number().int(),
      size: z.number().int(),
    }),
    progress: z.object({ done: z.number().int(), total: z.number().int() }),
  },
  'train.vivit': {
    description:
      'Train a video transformer classifier on a video dataset (variant model1, model2, model3, timesformer, model4, mvit or frame-average); stores the run, its metrics, the best checkpoint and every clip embedding',
    input: z.object({
      dataset: z.string().min(1),
      preset: z.enum(presetNames).default('quick'),
      /** overrides of the preset, checked by the model's schema */
      settings: z.record(z.string(), z.unknown()).default({}),
      device: device.default('auto'),
      threads: z.number().int().min(1).max(256).optional(),
      resume: z.number().int().positive().optional(),
    }),
    output: z.object({
      run: z.number().int(),
      model: z.literal('vivit'),
      variant: z.enum(variantNames),
      seconds: z.number(),
      cpu_seconds: z.number(),
      device: z.string(),
      epochs: z.number().int(),
      steps: z.number().int(),
      best_epoch: z.number().int(),
      stopped: z.enum(['epochs', 'patience', 'time']),
      clips_per_s: z.number(),
      data: z.object({
        frames: z.number().int(),
        channels: z.number().int(),
        image_size: z.number().int(),
        patch: z.number().int(),
        tubelet: z.number().int(),
        tokens: z.number().int(),
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
        short_clips: z.object({ count: z.number().int(), handled: z.enum(['loop', 'pad']) }),
        resized: z.number().int(),
        converted: z.number().int(),
        initialised_from: z.object({ run: z.number().int(), parameters: z.array(z.string()) }).nullable(),
      }),
      validation_top1: z.number(),
      test: z.object({
        top1: z.number(),
        images: z.number().int(),
        classes: z.array(z.string()),
        confusion: z.array(z.array(z.number().int())),
        per_class_top1: z.array(z.number()),
      }),
      embeddings: z.number().int(),
    }),
    progress: VideoTrainProgress,
  },
} as const;
