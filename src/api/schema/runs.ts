import { z } from 'zod';

/** A training run that was checkpointed and paused (the application closed during training). */
export const ResumableRun = z.object({
  id: z.number().int(),
  model: z.string(),
  dataset: z.string(),
  /** the step of its last checkpoint, where a resume starts */
  step: z.number().int(),
  /** when that checkpoint was written (ISO 8601) */
  checkpointAt: z.string(),
  device: z.string(),
  config: z.record(z.string(), z.unknown()),
});
export type ResumableRun = z.infer<typeof ResumableRun>;

export const runCommands = {
  'runs.resumable': {
    description:
      'Runs paused with a checkpoint (the app closed during training), newest first, to offer resuming',
    input: z.object({}),
    output: z.object({ runs: z.array(ResumableRun) }),
    progress: z.never(),
  },
} as const;
