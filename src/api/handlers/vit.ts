import { resolve } from 'node:path';
import { runJob } from '../../jobs/run-job.ts';
import { attentionMaps } from '../../models/vit/attention.ts';
import { checkSettings } from '../../models/vit/config.ts';
import { supervisedEvalJob, vitBenchJob, vitTrainJob } from '../../models/vit/jobs.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';
import { isVideoRun, videoEvalCommand } from './video.ts';

/** Errors the model code raises by name (jobs hand errors back as plain data). */
function refusal(error: unknown, command: string): unknown {
  if (!(error instanceof Error)) return error;
  if (['RunNotUsable', 'ImageDatasetError', 'TrainingDiverged', 'DeviceUnavailable'].includes(error.name)) {
    return new ApiError({ code: 'refused', message: error.message, command });
  }
  return error;
}

export const trainVitCommand: Handler<'train.vit'> = async (input, { workspace, progress, signal }) => {
  // bad settings are answered here, as invalid input, before a thread starts; the trainer resolves
  // the preset once it knows the images' side (`default` adapts to it)
  checkSettings(input.preset, input.settings);
  try {
    return await runJob(
      vitTrainJob,
      {
        workspace: resolve(workspace),
        dataset: input.dataset,
        config: { preset: input.preset, overrides: input.settings },
        device: input.device,
        threads: input.threads,
        resume: input.resume,
      },
      { onProgress: progress, signal, graceMs: 60_000 },
    );
  } catch (error) {
    throw refusal(error, 'train.vit');
  }
};

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
    throw refusal(error, 'eval.supervised');
  }
};

/** In the caller's thread: one image through a small graph (milliseconds, after a session build). */
export const vitAttentionCommand: Handler<'vit.attention'> = async (input, { workspace }) => {
  const ws = openWorkspace(workspace, { readonly: true });
  try {
    return await attentionMaps(ws, input.run, input.entity);
  } catch (error) {
    throw refusal(error, 'vit.attention');
  } finally {
    ws.close();
  }
};

export const benchVitCommand: Handler<'bench.vit'> = async (input, { signal }) =>
  runJob(vitBenchJob, input, { signal });
