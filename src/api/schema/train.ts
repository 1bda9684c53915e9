// Training as a long command: progress events carry the run, the loss and metrics for the live
// curves, the throughput and an ETA. Cancelling the call stops the run (a model that checkpoints
// keeps its checkpoint); train.pause stops it as `paused`, and train.start with `resume` continues it.
import { z } from 'zod';

export const TrainingProgress = z.object({
  /** null until the run is recorded */
  run: z.number().int().nullable(),
  /** what the trainer is doing, in its words (loading, walks, training, validation, test, storing) */
  phase: z.string(),
  epoch: z.number().int().optional(),
  step: z.number().int().optional(),
  loss: z.number().optional(),
  /** latest evaluation figures (val NDCG@10...), when the model reports them */
  metrics: z.record(z.string(), z.number()).optional(),
  throughput: z.object({ value: z.number(), unit: z.string() }).optional(),
  /** of the whole run, 0..1 */
  fraction: z.number().min(0).max(1),
  etaSeconds: z.number().nullable(),
});
export type TrainingProgress = z.infer<typeof TrainingProgress>;

export const trainCommands = {
  'train.start': {
    description: 'Train a model on a dataset (or resume a stopped run), reporting progress until it ends',
    input: z.object({
      dataset: z.string().min(1),
      model: z.string().min(1),
      preset: z.string().optional(),
      /** settings over the preset; checked by the model's schema */
      config: z.record(z.string(), z.unknown()).default({}),
      /** an execution provider of devices.probe, or auto */
      device: z.string().default('auto'),
      /** the model's extra inputs (ModelDescriptor.inputs), by key */
      inputs: z.record(z.string(), z.array(z.string())).default({}),
      /** continue this run from its last checkpoint (its stored config wins) */
      resume: z.number().int().positive().optional(),
    }),
    output: z.object({
      run: z.number().int(),
      status: z.enum(['done', 'paused']),
      seconds: z.number(),
      /** the run's final figures */
      metrics: z.record(z.string(), z.number().nullable()),
    }),
    progress: TrainingProgress,
  },
  'train.pause': {
    description: 'Stop a training run of this server at its next step with a checkpoint, marking it paused',
    input: z.object({ run: z.number().int().positive() }),
    output: z.object({ run: z.number().int(), pausing: z.boolean() }),
    progress: z.never(),
  },
} as const;
