// Evaluating a run's embeddings: node classification and clustering against the class labels
// of one entity type, and similarity search.
import { z } from 'zod';

const RunId = z.number().int().positive();

export const ClassificationFigure = z.object({
  train_fraction: z.number(),
  macro_f1: z.number(),
  macro_f1_std: z.number(),
  micro_f1: z.number(),
  micro_f1_std: z.number(),
});

const Evaluated = {
  run: z.number().int(),
  /** the entity type whose class labels were used */
  type: z.string(),
  labelled: z.number().int(),
  classes: z.array(z.string()),
  /** labelled entities left out because the run gave them no embedding */
  without_embedding: z.number().int(),
  seconds: z.number(),
};

export const EvaluationProgress = z.object({ done: z.number().int(), total: z.number().int() });

export const evaluateCommands = {
  'eval.run': {
    description:
      'Node classification (logistic regression, Macro/Micro-F1 per train fraction over random splits) or clustering (k-means, NMI/ARI) of a run',
    input: z.object({
      run: RunId,
      task: z.enum(['node-classification', 'clustering']),
      /** the labelled entity type; the type with most labelled embedded entities when absent */
      type: z.string().min(1).optional(),
      /** random splits per train fraction (classification) or k-means seeds (clustering) */
      repeats: z.number().int().min(1).max(1000).default(10),
      fractions: z.array(z.number().gt(0).lt(1)).min(1).default([0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 0.9]),
      seed: z.number().int().nonnegative().default(0),
    }),
    output: z.discriminatedUnion('task', [
      z.object({
        task: z.literal('node-classification'),
        ...Evaluated,
        splits: z.number().int(),
        results: z.array(ClassificationFigure),
      }),
      z.object({
        task: z.literal('clustering'),
        ...Evaluated,
        k: z.number().int(),
        seeds: z.number().int(),
        nmi: z.number(),
        nmi_std: z.number(),
        ari: z.number(),
        ari_std: z.number(),
      }),
    ]),
    progress: EvaluationProgress,
  },
  'eval.neighbours': {
    description: 'The k entities whose embeddings are closest (cosine) to an entity, optionally of one type',
    input: z.object({
      run: RunId,
      entity: z.string().min(1),
      /** the entity's type, needed when its key exists in several types */
      entityType: z.string().min(1).optional(),
      /** only neighbours of this type */
      type: z.string().min(1).optional(),
      k: z.number().int().min(1).max(1000).default(10),
    }),
    output: z.object({
      run: z.number().int(),
      entity: z.object({ key: z.string(), type: z.string() }),
      neighbours: z.array(
        z.object({ key: z.string(), type: z.string(), label: z.string().nullable(), similarity: z.number() }),
      ),
    }),
    progress: z.never(),
  },
} as const;
