import { resolve } from 'node:path';
import { runJob } from '../../jobs/run-job.ts';
import { attentionMaps } from '../../models/vit/attention.ts';
import { checkSettings } from '../../models/vit/config.ts';
import { supervisedEvalJob, vitBenchJob, vitTrainJob } from '../../models/vit/jobs.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { refusal } from './refusal.ts';
import { imageTrainingErrors, trainingHandler } from './training-job.ts';
import { isVideoRun, videoEvalCommand } from './video.ts';

// the trainer resolves the preset once it knows the images' side (`default` adapts to it), so only
// the overrides are checked here
export const trainVitCommand: Handler<'train.vit'> = trainingHandler(
  'train.vit',
  vitTrainJob,
  (input) => {
    checkSettings(input.preset, input.settings);
    return { preset: input.preset, overrides: input.settings };
  },
  imageTrainingErrors,
);

export const supervisedEvalCommand: Handler<'eval.supervised'> = async (input, context) => {
  const { workspace, progress, signal } = context;
  if (isVideoRun(workspace, input.run)) return videoEvalCommand(input, context);
  try {
    return await runJob(
      supervisedEvalJob,
      { workspace: resolve(workspace), run: input.run },
      { onProgress: progress, signal },
    );
  } catch (error) {
    throw refusal(error, 'eval.supervised', imageTrainingErrors);
  }
};

/** In the caller's thread: one image through a small graph (milliseconds, after a session build). */
export const vitAttentionCommand: Handler<'vit.attention'> = async (input, { workspace }) => {
  const ws = openWorkspace(workspace, { readonly: true });
  try {
    return await attentionMaps(ws, input.run, input.entity);
  } catch (error) {
    throw refusal(error, 'vit.attention', imageTrainingErrors);
  } finally {
    ws.close();
  }
};

export const benchVitCommand: Handler<'bench.vit'> = async (input, { signal }) =>
  runJob(vitBenchJob, input, { signal });
