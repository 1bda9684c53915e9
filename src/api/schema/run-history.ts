// The run history: every run with what it was asked (model, config, device) and what it measured,
// a run's metric series for curves, deleting a run and exporting its trained model.
import { z } from 'zod';

export const RunStatus = z.enum(['queued', 'running', 'paused', 'cancelled', 'failed', 'done']);

export const RunSummary = z.object({
  id: z.number().int(),
  dataset: z.string(),
  model: z.string(),
  config: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  device: z.string(),
  codeVersion: z.string(),
  status: RunStatus,
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  seconds: z.number(),
  /** the last value of every metric */
  metrics: z.record(z.string(), z.number().nullable()),
  /** stopped with a checkpoint that train.start can resume from */
  resumable: z.boolean(),
  hasEmbeddings: z.boolean(),
  /** an exported ONNX model (export.model) */
  hasModel: z.boolean(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** A metric by step; null where the value was not finite. */
export const MetricSeries = z.object({ steps: z.array(z.number()), values: z.array(z.number().nullable()) });
export type MetricSeries = z.infer<typeof MetricSeries>;

export const runHistoryCommands = {
  'runs.list': {
    description: 'Training runs, newest first, with their last metric values',
    input: z.object({ dataset: z.string().optional() }),
    output: z.object({ runs: z.array(RunSummary) }),
    progress: z.never(),
  },
  'runs.get': {
    description: 'One run with every metric series (curves)',
    input: z.object({ run: z.number().int().positive() }),
    output: z.object({ run: RunSummary, series: z.record(z.string(), MetricSeries) }),
    progress: z.never(),
  },
  'runs.delete': {
    description: 'Delete a run with its metrics, checkpoints, embeddings and files',
    input: z.object({ run: z.number().int().positive() }),
    output: z.object({ deleted: z.number().int() }),
    progress: z.never(),
  },
  'export.model': {
    description: "Copy a run's trained model (ONNX) to a file",
    input: z.object({ run: z.number().int().positive(), out: z.string().min(1) }),
    output: z.object({ run: z.number().int(), files: z.array(z.string()), bytes: z.number().int() }),
    progress: z.never(),
  },
} as const;
