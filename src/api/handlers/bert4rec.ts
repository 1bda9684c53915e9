import { resolve } from 'node:path';
import { runJob } from '../../jobs/run-job.ts';
import { resolveConfig } from '../../models/bert4rec/config.ts';
import { benchJob, evalJob, trainJob } from '../../models/bert4rec/jobs.ts';
import { recommend } from '../../models/bert4rec/recommend.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';

/** Errors the model code raises by name (jobs hand errors back as plain data). */
function refusal(error: unknown, command: string): unknown {
  if (!(error instanceof Error)) return error;
  if (error.name === 'UnknownUser')
    return new ApiError({ code: 'not-found', message: error.message, command });
  if (['RunNotUsable', 'EmptyEvaluation', 'DeviceUnavailable'].includes(error.name)) {
    return new ApiError({ code: 'refused', message: error.message, command });
  }
  return error;
}

export const trainBert4RecCommand: Handler<'train.bert4rec'> = async (
  input,
  { workspace, progress, signal },
) => {
  const objective =
    input.baseline === 'popularity' ? 'popularity' : input.baseline === 'sasrec' ? 'next' : undefined;
  // bad settings are answered here, as invalid input, before a thread starts
  const config = resolveConfig(input.preset, objective ? { ...input.settings, objective } : input.settings);
  try {
    return await runJob(
      trainJob,
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
    throw refusal(error, 'train.bert4rec');
  }
};

export const rankingEvalCommand: Handler<'eval.ranking'> = async (input, { workspace, progress, signal }) => {
  try {
    return await runJob(
      evalJob,
      { workspace: resolve(workspace), run: input.run, protocol: input.protocol, seed: input.seed },
      { onProgress: progress, signal },
    );
  } catch (error) {
    throw refusal(error, 'eval.ranking');
  }
};

/** In the caller's thread: one history through the model takes milliseconds. */
export const recommendCommand: Handler<'recommend'> = async (input, { workspace }) => {
  const ws = openWorkspace(workspace, { readonly: true });
  try {
    return await recommend(ws, input.run, input.user, { k: input.k, includeSeen: input.includeSeen });
  } catch (error) {
    throw refusal(error, 'recommend');
  } finally {
    ws.close();
  }
};

export const benchBert4RecCommand: Handler<'bench.bert4rec'> = async (input, { signal }) =>
  runJob(benchJob, input, { signal });
