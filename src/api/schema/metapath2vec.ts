// metapath2vec commands: train a run, and write the walk corpus as text (to compare other
// word2vec implementations on the identical corpus).
import { z } from 'zod';
import { Metapath2vecVariant, presetNames } from '../../models/metapath2vec/config.ts';

const Walking = {
  dataset: z.string().min(1),
  /** schemes in type names (author-paper-conf-paper-author) or abbreviations (A-P-C-P-A) */
  metapaths: z.array(z.string().min(1)).min(1, 'give at least one meta-path scheme'),
  /** LETTER -> type name, for abbreviations that are not the type's initial (V -> conf) */
  abbreviations: z.record(z.string(), z.string()).default({}),
  preset: z.enum(presetNames).default('quick'),
  /** overrides of the preset: walks_per_node, walk_length, window, dim, negatives, epochs, lr, min_count, seed, variant */
  settings: z.record(z.string(), z.unknown()).default({}),
  /** walk (and training) threads; all cores when absent */
  threads: z.number().int().min(1).max(256).optional(),
};

export const TrainProgress = z.object({
  phase: z.enum(['walks', 'training', 'storing']),
  done: z.number(),
  total: z.number(),
  /** mean training loss per pair since the previous event that had one (the run's train/loss points) */
  loss: z.number().optional(),
});

export const WalksProgress = z.object({ walks: z.number().int(), total: z.number().int() });

export const metapath2vecCommands = {
  'train.metapath2vec': {
    description:
      'Train metapath2vec or metapath2vec++ on a network dataset; stores the run and its embeddings',
    input: z.object({
      ...Walking,
      /** shorthand for settings.variant */
      variant: Metapath2vecVariant.optional(),
      /** auto and cpu: the WebAssembly kernel; cpu-reference: the TypeScript reference trainer */
      device: z.string().min(1).default('auto'),
    }),
    output: z.object({
      run: z.number().int(),
      seconds: z.number(),
      walk_tokens_per_s: z.number(),
      pairs_per_s: z.number(),
      walks: z.number().int(),
      walk_tokens: z.number().int(),
      skipped_walks: z.number().int(),
      shortened_walks: z.number().int(),
      isolated_nodes: z.number().int(),
      embedded_nodes: z.number().int(),
      nodes_without_embedding: z.number().int(),
      pairs: z.number(),
    }),
    progress: TrainProgress,
  },
  'walks.export': {
    description: 'Write the meta-path walk corpus of a dataset as text: one walk per line, tokens type:key',
    input: z.object({ ...Walking, out: z.string().min(1) }),
    output: z.object({
      out: z.string(),
      walks: z.number().int(),
      tokens: z.number().int(),
      skipped_walks: z.number().int(),
      shortened_walks: z.number().int(),
      seconds: z.number(),
    }),
    progress: WalksProgress,
  },
} as const;
