import { resolveConfig } from '../../models/simclr/config.ts';
import { simclrTrainJob } from '../../models/simclr/jobs.ts';
import type { Handler } from '../handler.ts';
import { imageTrainingErrors, trainingHandler } from './training-job.ts';

export const trainSimclrCommand: Handler<'train.simclr'> = trainingHandler(
  'train.simclr',
  simclrTrainJob,
  (input) => resolveConfig(input.preset, input.settings),
  imageTrainingErrors,
);
