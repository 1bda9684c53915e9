// Evaluating an image run's frozen representations (vit, simclr, contrastive-pairs): the linear
// evaluation protocol and weighted k-NN, both on the run's own test split.
import { z } from 'zod';

const RunId = z.number().int().positive();

const TestFigures = {
  run: z.number().int(),
  model: z.string(),
  split: z.literal('test'),
  top1: z.number(),
  images: z.number().int(),
  classes: z.array(z.string()),
  /** confusion[true][predicted] counts, classes in `classes` order */
  confusion: z.array(z.array(z.number().int())),
  per_class_top1: z.array(z.number()),
  /** training images the classifier learned from (k-NN: its memory) */
  train: z.number().int(),
  dim: z.number().int(),
  seconds: z.number(),
};

const Progress = z.object({ done: z.number().int(), total: z.number().int() });

export const imageEvaluationCommands = {
  'eval.linear': {
    description:
      'Linear evaluation of an image run: logistic regression on its frozen training representations, C chosen on validation, top-1 and confusion on test',
    input: z.object({
      run: RunId,
      /** the inverse regularisation strengths tried (ascending); 10^-4 .. 10^3 when absent */
      cs: z.array(z.number().positive()).min(1).optional(),
    }),
    output: z.object({
      ...TestFigures,
      protocol: z.literal('linear'),
      c: z.number(),
      validation_top1: z.number(),
      grid: z.array(z.object({ c: z.number(), validation_top1: z.number() })),
    }),
    progress: Progress,
  },
  'eval.knn': {
    description:
      "Weighted k-NN accuracy of an image run's representations (cosine, exp(s / τ) votes, training images as memory) on its test split",
    input: z.object({
      run: RunId,
      /** neighbours voting; 200, or 20 when the training part has fewer than 2000 images */
      k: z.number().int().min(1).max(100_000).optional(),
      temperature: z.number().positive().max(100).default(0.1),
    }),
    output: z.object({
      ...TestFigures,
      protocol: z.literal('knn'),
      k: z.number().int(),
      temperature: z.number(),
    }),
    progress: Progress,
  },
} as const;
