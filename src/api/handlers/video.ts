import { resolve } from 'node:path';
import { runJob } from '../../jobs/run-job.ts';
import { resolveConfig } from '../../models/video/config.ts';
import { motionJob, videoEvalJob, videoTrainJob } from '../../models/video/jobs.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { modelErrors, refusal } from './refusal.ts';
import { trainingHandler } from './training-job.ts';

const videoErrors = modelErrors({
  refused: [
    'RunNotUsable',
    'ImageDatasetError',
    'TrainingDiverged',
    'DeviceUnavailable',
    'VideoShapeRefused',
    'InputError',
  ],
});

export const generateMotionCommand: Handler<'generate.motion'> = async (
  input,
  { workspace, progress, signal },
) => {
  try {
    return await runJob(
      motionJob,
      { workspace: resolve(workspace), ...input },
      { onProgress: progress, signal },
    );
  } catch (error) {
    throw refusal(error, 'generate.motion', videoErrors);
  }
};

export const trainVivitCommand: Handler<'train.vivit'> = trainingHandler(
  'train.vivit',
  videoTrainJob,
  (input) => resolveConfig(input.preset, input.settings),
  videoErrors,
);

/** Whether run `run` of the workspace is a video run (eval.supervised serves image and video classifiers). */
export function isVideoRun(workspace: string, run: number): boolean {
  const opened = openWorkspace(resolve(workspace), { readonly: true });
  try {
    return opened.runs.get(run)?.model === 'vivit';
  } finally {
    opened.close();
  }
}

export const videoEvalCommand = async (
  input: { run: number },
  { workspace, progress, signal }: Parameters<Handler<'eval.supervised'>>[1],
) => {
  try {
    return await runJob(
      videoEvalJob,
      { workspace: resolve(workspace), run: input.run },
      { onProgress: progress, signal },
    );
  } catch (error) {
    throw refusal(error, 'eval.supervised', videoErrors);
  }
};
