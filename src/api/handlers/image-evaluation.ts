import { resolve } from 'node:path';
import { imageProtocolJob } from '../../eval/jobs.ts';
import { runJob } from '../../jobs/run-job.ts';
import type { Handler } from '../handler.ts';
import { embeddingErrors } from './metapath2vec.ts';
import { refusal } from './refusal.ts';

export const linearEvalCommand: Handler<'eval.linear'> = async (input, { workspace, progress, signal }) => {
  try {
    const result = await runJob(
      imageProtocolJob,
      { workspace: resolve(workspace), run: input.run, protocol: 'linear', cs: input.cs },
      { onProgress: progress, signal },
    );
    if (result.protocol !== 'linear') throw new Error(`eval.linear answered ${result.protocol}`);
    return result;
  } catch (error) {
    throw refusal(error, 'eval.linear', embeddingErrors);
  }
};

export const knnEvalCommand: Handler<'eval.knn'> = async (input, { workspace, progress, signal }) => {
  try {
    const result = await runJob(
      imageProtocolJob,
      {
        workspace: resolve(workspace),
        run: input.run,
        protocol: 'knn',
        k: input.k,
        temperature: input.temperature,
      },
      { onProgress: progress, signal },
    );
    if (result.protocol !== 'knn') throw new Error(`eval.knn answered ${result.protocol}`);
    return result;
  } catch (error) {
    throw refusal(error, 'eval.knn', embeddingErrors);
  }
};
