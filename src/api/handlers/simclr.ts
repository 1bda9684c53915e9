import { resolve } from 'node:path';
import { runJob } from '../../jobs/run-job.ts';
import { resolveConfig } from '../../models/simclr/config.ts';
import { simclrTrainJob } from '../../models/simclr/jobs.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';

/** Errors the model code raises by name (jobs hand errors back as plain data). */
export function refusal(error: unknown, command: string): unknown {
  if (!(error instanceof Error)) return error;
  if (['RunNotUsable', 'ImageDatasetError', 'TrainingDiverged', 'DeviceUnavailable'].includes(error.name)) {
    return new ApiError({ code: 'refused', message: error.message, command });
  }
  return error;
}

export const trainSimclrCommand: Handler<'train.simclr'> = async (input, { workspace, progress, signal }) => {
  // bad settings are answered here, as invalid input, before a thread starts
  const config = resolveConfig(input.preset, input.settings);
  try {
    return await runJob(
      simclrTrainJob,
      {
        workspace: resolve(workspace),
        dataset: input.dataset,
        config,
        device: input.device,
        threads: input.threads,
        resume: input.resume,
      },
      { onProgress: progress, signal, graceMs: 60_000 },
    );
  } catch (error) {
    throw refusal(error, 'train.simclr');
  }
};
