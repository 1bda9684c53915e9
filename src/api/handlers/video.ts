import { resolve } from 'node:path';
import { runJob } from '../../jobs/run-job.ts';
import { resolveConfig } from '../../models/video/config.ts';
import { motionJob, videoEvalJob, videoTrainJob } from '../../models/video/jobs.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';

/** Errors the model code raises by name (jobs hand errors back as plain data). */
function refusal(error: unknown, command: string): unknown {
  if (!(error instanceof Error)) return error;
  if (
    [
      'RunNotUsable',
      'ImageDatasetError',
      'TrainingDiverged',
      'DeviceUnavailable',
      'VideoShapeRefused',
      'InputError',
    ].includes(error.name)
  ) {
    return new ApiError({ code: 'refused', message: error.message, command });
  }
  return error;
}

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
    throw refusal(error, 'generate.motion');
  }
};

export const trainVivitCommand: Handler<'train.vivit'> = async (input, { workspace, progress, signal }) => {
  // bad settings are answered here, as invalid input, before a thread starts
  const config = resolveConfig(input.preset, input.settings);
  try {
    return await runJob(
      videoTrainJob,
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
    throw refusal(error, 'train.vivit');
  }
};

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
    throw refusal(error, 'eval.supervised');
  }
};
