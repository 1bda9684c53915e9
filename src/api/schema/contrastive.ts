// Self-supervised image encoders trained on labelled pairs: the contrastive pair loss (Hadsell,
// Chopra, LeCun 2006).
import { z } from 'zod';
import { presetNames } from '../../models/contrastive/config.ts';
import { ImageData, trainingFigures, trainingInput, trainingProgress, withoutTestPhase } from './training.ts';

export const contrastiveCommands = {
  'train.contrastive-pairs': {
    description:
      'Train a Siamese image encoder with the contrastive pair loss on similar (same class) / dissimilar pairs; stores the run, its metrics, the best checkpoint (validation k-NN top-1) and every image embedding',
    input: trainingInput(presetNames, 'quick'),
    output: z.object({
      run: z.number().int(),
      model: z.literal('contrastive-pairs'),
      ...trainingFigures('pairs_per_s'),
      data: z.object({ ...ImageData, knn_k: z.number().int() }),
      validation_knn_top1: z.number(),
      test_knn_top1: z.number(),
      embeddings: z.number().int(),
    }),
    progress: trainingProgress('pairs_per_s', withoutTestPhase),
  },
} as const;
