// Video commands: generate a motion dataset from images, and train a video transformer (ViViT's
// variants, TimeSformer, MViT, the frame-averaging baseline). `eval.supervised` scores video runs too.
import { z } from 'zod';
import { presetNames, variantNames } from '../../models/video/config.ts';
import { ClassifierTest, ImageData, trainingFigures, trainingInput, trainingProgress } from './training.ts';

export const VideoTrainProgress = trainingProgress('clips_per_s');

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
    input: trainingInput(presetNames, 'quick'),
    output: z.object({
      run: z.number().int(),
      model: z.literal('vivit'),
      variant: z.enum(variantNames),
      ...trainingFigures('clips_per_s'),
      data: z.object({
        ...ImageData,
        frames: z.number().int(),
        patch: z.number().int(),
        tubelet: z.number().int(),
        tokens: z.number().int(),
        short_clips: z.object({ count: z.number().int(), handled: z.enum(['loop', 'pad']) }),
        initialised_from: z.object({ run: z.number().int(), parameters: z.array(z.string()) }).nullable(),
      }),
      validation_top1: z.number(),
      test: z.object(ClassifierTest),
      embeddings: z.number().int(),
    }),
    progress: VideoTrainProgress,
  },
} as const;
