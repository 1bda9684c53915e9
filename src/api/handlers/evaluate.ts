import { resolve } from 'node:path';
import { evaluateJob } from '../../eval/jobs.ts';
import { neighboursOf } from '../../eval/run-evaluation.ts';
import { runJob } from '../../jobs/run-job.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { embeddingErrors } from './metapath2vec.ts';
import { refusal } from './refusal.ts';

export const evaluateRunCommand: Handler<'eval.run'> = async (input, { workspace, progress, signal }) => {
  try {
    return await runJob(
      evaluateJob,
      { ...input, workspace: resolve(workspace) },
      { onProgress: progress, signal },
    );
  } catch (error) {
    throw refusal(error, 'eval.run', embeddingErrors);
  }
};

/** In the caller's thread: one pass over one run's vectors takes milliseconds. */
export const neighboursCommand: Handler<'eval.neighbours'> = async (input, { workspace }) => {
  const ws = openWorkspace(workspace, { readonly: true });
  try {
    const found = neighboursOf(ws, input.run, {
      key: input.entity,
      entityType: input.entityType,
      type: input.type,
      k: input.k,
    });
    return { run: input.run, ...found };
  } catch (error) {
    throw refusal(error, 'eval.neighbours', embeddingErrors);
  } finally {
    ws.close();
  }
};
