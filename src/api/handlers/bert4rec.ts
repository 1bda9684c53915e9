import { resolve } from 'node:path';
import { runJob } from '../../jobs/run-job.ts';
import { resolveConfig } from '../../models/bert4rec/config.ts';
import { benchJob, evalJob, trainJob } from '../../models/bert4rec/jobs.ts';
import { recommend } from '../../models/bert4rec/recommend.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { modelErrors, refusal } from './refusal.ts';
import { trainingHandler } from './training-job.ts';

const bert4recErrors = modelErrors({
  'not-found': ['UnknownUser'],
  refused: ['RunNotUsable', 'EmptyEvaluation', 'DeviceUnavailable'],
});

export const trainBert4RecCommand: Handler<'train.bert4rec'> = trainingHandler(
  'train.bert4rec',
  trainJob,
  (input) => {
    const objective =
      input.baseline === 'popularity' ? 'popularity' : input.baseline === 'sasrec' ? 'next' : undefined;
    return resolveConfig(input.preset, objective ? { ...input.settings, objective } : input.settings);
  },
  bert4recErrors,
);

export const rankingEvalCommand: Handler<'eval.ranking'> = async (input, { workspace, progress, signal }) => {
  try {
    return await runJob(
      evalJob,
      { workspace: resolve(workspace), run: input.run, protocol: input.protocol, seed: input.seed },
      { onProgress: progress, signal },
    );
  } catch (error) {
    throw refusal(error, 'eval.ranking', bert4recErrors);
  }
};

/** In the caller's thread: one history through the model takes milliseconds. */
export const recommendCommand: Handler<'recommend'> = async (input, { workspace }) => {
  const ws = openWorkspace(workspace, { readonly: true });
  try {
    return await recommend(ws, input.run, input.user, { k: input.k, includeSeen: input.includeSeen });
  } catch (error) {
    throw refusal(error, 'recommend', bert4recErrors);
  } finally {
    ws.close();
  }
};

export const benchBert4RecCommand: Handler<'bench.bert4rec'> = async (input, { workspace, signal }) => {
  const { settings, dataset, ...options } = input;
  const config = resolveConfig(input.preset, settings);
  const data = dataset ? { workspace: resolve(workspace), dataset } : undefined;
  try {
    return await runJob(benchJob, { ...options, config, data }, { signal });
  } catch (error) {
    throw refusal(error, 'bench.bert4rec', bert4recErrors);
  }
};
