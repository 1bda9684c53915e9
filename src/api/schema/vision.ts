// Image pipeline commands for the UI: a preview of the augmented pairs contrastive training sees.
import { z } from 'zod';
import { Augmentation } from '../../models/vision/augment.ts';

export const visionCommands = {
  'images.augment-preview': {
    description:
      "Two augmented views (SimCLR's crop, flip, colour jitter, greyscale, blur) of a dataset's first images, as PNG data URLs",
    input: z.object({
      dataset: z.string().min(1),
      count: z.number().int().min(1).max(64).default(8),
      seed: z.number().int().nonnegative().default(0),
      /** colour strength s of the paper's defaults (1 ImageNet, 0.5 CIFAR-10) */
      strength: z.number().min(0).max(2).default(1),
      /** replaces the defaults of strength s entirely */
      augmentation: Augmentation.optional(),
    }),
    output: z.object({
      shape: z.object({ channels: z.number().int(), height: z.number().int(), width: z.number().int() }),
      augmentation: Augmentation,
      pairs: z.array(
        z.object({
          entity: z.number().int(),
          key: z.string(),
          label: z.string().nullable(),
          original: z.string(),
          views: z.tuple([z.string(), z.string()]),
        }),
      ),
    }),
    progress: z.never(),
  },
} as const;
