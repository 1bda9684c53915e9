// Sequential recommendation commands (BERT4Rec and its baselines): train a run, rank held-out
// items under a protocol, recommend next items for a user, and the training-throughput benchmark.
import { z } from 'zod';
import { Protocol, presetNames } from '../../models/bert4rec/config.ts';
import { Device, Settings, Threads, trainingFigures, trainingInput, trainingProgress } from './training.ts';

const Metrics = {
  'HR@1': z.number(),
  'HR@5': z.number(),
  'HR@10': z.number(),
  'NDCG@5': z.number(),
  'NDCG@10': z.number(),
  MRR: z.number(),
};
const RankingMetrics = z.object(Metrics);

export const Bert4RecTrainProgress = trainingProgress('sequences_per_s');

export const bert4recCommands = {
  'train.bert4rec': {
    description:
      'Train BERT4Rec (or the popularity / left-to-right Transformer baseline) on an interaction log; stores the run, its metrics, item embeddings and an exported recommender',
    input: trainingInput(presetNames, 'quick').extend({
      /** popularity, or sasrec (the same Transformer, causal, next-item objective) */
      baseline: z.enum(['popularity', 'sasrec']).optional(),
    }),
    output: z.object({
      run: z.number().int(),
      model: z.string(),
      ...trainingFigures('sequences_per_s'),
      stopped: z.enum(['epochs', 'patience', 'time', 'nothing-to-train']),
      split: z.object({
        users: z.number().int(),
        items: z.number().int(),
        interactions: z.number().int(),
        evaluated_users: z.number().int(),
        excluded_users: z.number().int(),
        order: z.enum(['time', 'file']),
        k_core: z.number().int(),
        removed_users: z.number().int(),
        removed_items: z.number().int(),
        removed_interactions: z.number().int(),
      }),
      validation: RankingMetrics.nullable(),
      test: z.object({ pop100: RankingMetrics, uniform100: RankingMetrics, full: RankingMetrics }),
      model_file: z.string().nullable(),
    }),
    progress: Bert4RecTrainProgress,
  },
  'eval.ranking': {
    description:
      "Rank each user's held-out last item under a protocol: pop100 (BERT4Rec's), uniform100 (SASRec's) or full",
    input: z.object({
      run: z.number().int().positive(),
      protocol: Protocol,
      seed: z.number().int().nonnegative().optional(),
    }),
    output: z.object({
      run: z.number().int(),
      model: z.string(),
      protocol: Protocol,
      ...Metrics,
      users: z.number().int(),
      excluded_users: z.number().int(),
      seconds: z.number(),
    }),
    progress: z.object({ done: z.number().int(), total: z.number().int() }),
  },
  recommend: {
    description: 'Top-k next items for a user from a BERT4Rec / SASRec / popularity run',
    input: z.object({
      run: z.number().int().positive(),
      user: z.string().min(1),
      k: z.number().int().min(1).max(10_000).default(10),
      /** also rank items the user already interacted with */
      includeSeen: z.boolean().default(false),
    }),
    output: z.object({
      run: z.number().int(),
      model: z.string(),
      user: z.string(),
      history: z.number().int(),
      recommendations: z.array(
        z.object({ item: z.string(), label: z.string().nullable(), score: z.number() }),
      ),
    }),
    progress: z.never(),
  },
  'bench.bert4rec': {
    description:
      'Training throughput (sequences/s) of a preset (paper-ml by default) on a generated log or a workspace dataset, next to the engine benchmark',
    input: z.object({
      preset: z.enum(presetNames).default('paper-ml'),
      settings: Settings,
      /** a workspace interaction-log dataset to time instead of the generated log */
      dataset: z.string().min(1).optional(),
      users: z.number().int().min(10).default(2000),
      items: z.number().int().min(10).default(3700),
      steps: z.number().int().min(1).default(10),
      warmup: z.number().int().min(0).default(2),
      device: Device.default('cpu'),
      threads: Threads,
      engine: z.boolean().default(true),
      seed: z.number().int().nonnegative().default(1),
    }),
    output: z.object({
      preset: z.enum(presetNames),
      dataset: z.string(),
      sequences_per_s: z.number(),
      ms_per_step: z.number(),
      batch: z.number().int(),
      max_len: z.number().int(),
      predictions_per_batch: z.number().int(),
      short_len: z.number().int(),
      shapes: z.array(
        z.object({
          batch: z.number().int(),
          length: z.number().int(),
          predictions: z.number().int(),
          timed_steps: z.number().int(),
        }),
      ),
      steps: z.number().int(),
      users: z.number().int(),
      items: z.number().int(),
      device: z.string(),
      threads: z.number().int(),
      engine: z
        .object({ ms_per_step: z.number(), sequences_per_s: z.number(), batch: z.number().int() })
        .nullable(),
      cpu_seconds: z.number(),
      load_average: z.number(),
    }),
    progress: z.never(),
  },
} as const;
