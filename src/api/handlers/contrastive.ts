import { resolveConfig } from '../../models/contrastive/config.ts';
import { contrastivePairsTrainJob } from '../../models/contrastive/jobs.ts';
import type { Handler } from '../handler.ts';
import { modelErrors } from './refusal.ts';
import { trainingHandler } from './training-job.ts';

export const trainContrastivePairsCommand: Handler<'train.contrastive-pairs'> = trainingHandler(
  'train.contrastive-pairs',
  contrastivePairsTrainJob,
  (input) => resolveConfig(input.preset, input.settings),
  modelErrors({ refused: ['ImageDatasetError', 'TrainingDiverged', 'DeviceUnavailable', 'RangeError'] }),
);
