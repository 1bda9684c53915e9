// Datasets as the API shows them; mirrors src/workspace/types.ts (the handlers check the two agree).
import { z } from 'zod';

export const DatasetKind = z.enum(['network', 'interactions', 'images', 'videos']);

const counts = z.record(z.string(), z.number().int().nonnegative());

export const DatasetStats = z.object({
  entities: counts,
  relations: counts,
  interactions: z
    .object({
      users: z.number().int(),
      items: z.number().int(),
      interactions: z.number().int(),
      sequenceLength: z.object({ min: z.number(), median: z.number(), mean: z.number(), max: z.number() }),
      hasTime: z.boolean(),
    })
    .optional(),
  classes: counts.optional(),
  labelled: counts.optional(),
  media: z
    .object({
      count: z.number().int(),
      width: z.number().int().optional(),
      height: z.number().int().optional(),
      channels: z.number().int().optional(),
      frames: z.number().int().optional(),
    })
    .optional(),
  notes: z
    .array(
      z.object({
        action: z.enum(['skipped']),
        file: z.string(),
        line: z.number().int().optional(),
        problem: z.string(),
      }),
    )
    .optional(),
  notesOmitted: z.number().int().optional(),
});

export const Dataset = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: DatasetKind,
  source: z.object({
    format: z.string(),
    paths: z.array(z.string()),
    options: z.record(z.string(), z.unknown()).optional(),
    generated: z.object({ by: z.string(), seed: z.number().int() }).optional(),
  }),
  createdAt: z.string(),
  stats: DatasetStats,
});
export type Dataset = z.infer<typeof Dataset>;

/** A dataset name as users type it on a command line: no path separators, no surrounding blanks. */
export const DatasetName = z
  .string()
  .trim()
  .min(1, 'a dataset name cannot be empty')
  .max(200)
  .regex(/^[^/\\\n\r\t]+$/, 'a dataset name cannot contain slashes, tabs or line breaks');

export const datasetCommands = {
  'datasets.list': {
    description: 'List the datasets of the workspace with their stats',
    input: z.object({}),
    output: z.object({ datasets: z.array(Dataset) }),
    progress: z.never(),
  },
  'datasets.rename': {
    description: 'Rename a dataset',
    input: z.object({ name: z.string(), newName: DatasetName }),
    output: z.object({ dataset: Dataset }),
    progress: z.never(),
  },
  'datasets.delete': {
    description: 'Delete a dataset with its entities, relations, media and runs',
    input: z.object({ name: z.string() }),
    output: z.object({ deleted: z.string() }),
    progress: z.never(),
  },
} as const;
