import { resolveConfig } from '../../models/simclr/config.ts';
import { simclrTrainJob } from '../../models/simclr/jobs.ts';
import type { Handler } from '../handler.ts';
import { refusal as modelRefusal } from './refusal.ts';
import { imageTrainingErrors, trainingHandler } from './training-job.ts';

/** SimCLR's known errors as ApiErrors; SimCLR v2's commands (src/api/handlers/simclr2.ts) answer the same. */
export function refusal(error: unknown, command: string): unknown {
  return modelRefusal(error, command, imageTrainingErrors);
}

export const trainSimclrCommand: Handler<'train.simclr'> = trainingHandler(
  'train.simclr',
  simclrTrainJob,
  (input) => resolveConfig(input.preset, input.settings),
  imageTrainingErrors,
);
