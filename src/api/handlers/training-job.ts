import { resolve } from 'node:path';
import type { Job } from '../../jobs/job.ts';
import { runJob } from '../../jobs/run-job.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import type { CommandName, CommandOutput, CommandProgress, ParsedInput } from '../commands.ts';
import type { Handler } from '../handler.ts';
import { type ModelErrors, modelErrors, refusal } from './refusal.ts';

/** What every training job takes: its dataset, the resolved config, where it runs and what it resumes. */
export interface TrainingJobInput<C> {
  workspace: string;
  dataset: string;
  config: C;
  device: DeviceChoice;
  threads?: number;
  resume?: number;
}

/** The errors of the image trainers (ViT, SimCLR): an unusable run or dataset, divergence, no device. */
export const imageTrainingErrors = modelErrors({
  refused: ['RunNotUsable', 'ImageDatasetError', 'TrainingDiverged', 'DeviceUnavailable'],
});

/**
 * The handler of a training command: `config` resolves the input's preset and settings in the
 * caller's thread, so bad settings are answered as invalid input before a thread starts; the job
 * then trains in a worker, and the model's known errors are answered as `errors` says.
 */
export function trainingHandler<N extends CommandName, C>(
  command: N,
  job: Job<TrainingJobInput<C>, CommandOutput<N>, CommandProgress<N>>,
  config: (input: ParsedInput<N>) => C,
  errors: ModelErrors,
): Handler<N> {
  return async (input, { workspace, progress, signal }) => {
    const resolved = config(input);
    const { dataset, device, threads, resume } = input as TrainingJobInput<C>;
    try {
      return await runJob(
        job,
        { workspace: resolve(workspace), dataset, config: resolved, device, threads, resume },
        // a cancelled training rolls back its run and closes its checkpoint before its thread is killed
        { onProgress: progress, signal, graceMs: 60_000 },
      );
    } catch (error) {
      throw refusal(error, command, errors);
    }
  };
}
