// Self-supervised image encoders without labels: SimCLR v1 (Chen et al. 2020).
import { z } from 'zod';
import { presetNames } from '../../models/simclr/config.ts';

import { ImageData, trainingFigures, trainingInput, trainingProgress, withoutTestPhase } from './training.ts';

/** What a SimCLR training takes, reports and answers (v1's head, or v2's through train.simclr2). */
export const SimclrTraining = {
  input: trainingInput(presetNames, 'quick'),
  output: z.object({
    run: z.number().int(),
    model: z.literal('simclr'),
    ...trainingFigures('images_per_s'),
    data: z.object({
      ...ImageData,
      stages: z.number().int(),
      patch: z.number().int(),
      representation_dim: z.number().int(),
      train_images: z.number().int(),
      accumulate: z.number().int(),
    }),
    validation_knn_top1: z.number(),
    test_knn_top1: z.number(),
    embeddings: z.number().int(),
  }),
  progress: trainingProgress('images_per_s', withoutTestPhase),
};

export const simclrCommands = {
  'train.simclr': {
    description:
      "Train a SimCLR image encoder without labels (two augmented views per image, projection head, NT-Xent, LARS); stores the run, its metrics, the best checkpoint (validation k-NN top-1) and every image's representation h",
    ...SimclrTraining,
  },
} as const;
