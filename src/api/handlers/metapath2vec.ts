import { resolve } from 'node:path';
import { runJob } from '../../jobs/run-job.ts';
import { resolveConfig } from '../../models/metapath2vec/config.ts';
import { trainJob, walksJob } from '../../models/metapath2vec/jobs.ts';
import type { Handler } from '../handler.ts';
import { modelErrors, refusal } from './refusal.ts';

/**
 * The errors of metapath2vec and of the evaluations of stored embeddings (node classification,
 * neighbours, the linear and k-NN protocols): a scheme that does not fit the network is the user's
 * input; a device or a setting the run cannot use, or embeddings it cannot evaluate, are refused.
 */
export const embeddingErrors = modelErrors({
  'invalid-input': ['MetaPathError'],
  refused: ['DeviceUnavailable', 'RangeError', 'EvaluationError'],
});

function configOf(input: { preset: 'paper' | 'quick'; settings: Record<string, unknown>; variant?: string }) {
  return resolveConfig(
    input.preset,
    input.variant ? { ...input.settings, variant: input.variant } : input.settings,
  );
}

export const trainMetapath2vecCommand: Handler<'train.metapath2vec'> = async (
  input,
  { workspace, progress, signal },
) => {
  const config = configOf(input);
  try {
    return await runJob(
      trainJob,
      {
        workspace: resolve(workspace),
        dataset: input.dataset,
        metapaths: input.metapaths,
        abbreviations: input.abbreviations,
        config,
        device: input.device,
        threads: input.threads,
      },
      { onProgress: progress, signal },
    );
  } catch (error) {
    throw refusal(error, 'train.metapath2vec', embeddingErrors);
  }
};

export const exportWalksCommand: Handler<'walks.export'> = async (input, { workspace, progress, signal }) => {
  const config = configOf(input);
  try {
    return await runJob(
      walksJob,
      {
        workspace: resolve(workspace),
        dataset: input.dataset,
        metapaths: input.metapaths,
        abbreviations: input.abbreviations,
        config,
        threads: input.threads,
        out: resolve(input.out),
      },
      { onProgress: progress, signal },
    );
  } catch (error) {
    throw refusal(error, 'walks.export', embeddingErrors);
  }
};
