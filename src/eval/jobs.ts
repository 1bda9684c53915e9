// Evaluating a run as a job: seventy probe fits or ten k-means runs take seconds to minutes, off
// the caller's thread.
import { defineJob } from '../jobs/job.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { evaluateKnn, evaluateLinear, type KnnEvaluation, type LinearEvaluation } from './image-protocols.ts';
import {
  type ClassificationFigure,
  type ClusteringFigure,
  clustering,
  labelledEmbeddings,
  nodeClassification,
} from './run-evaluation.ts';

export interface EvaluateJobInput {
  workspace: string;
  run: number;
  task: 'node-classification' | 'clustering';
  type?: string;
  repeats: number;
  fractions: number[];
  seed: number;
}

interface Evaluated {
  run: number;
  type: string;
  labelled: number;
  classes: string[];
  without_embedding: number;
  seconds: number;
}

export type EvaluateJobOutput =
  | ({ task: 'node-classification'; splits: number; results: ClassificationFigure[] } & Evaluated)
  | ({ task: 'clustering' } & ClusteringFigure & Evaluated);

export const evaluateJob = defineJob<EvaluateJobInput, EvaluateJobOutput, { done: number; total: number }>(
  import.meta.url,
  'evaluate-run',
  async (input, { progress, signal }) => {
    const started = performance.now();
    const workspace = openWorkspace(input.workspace, { readonly: true });
    try {
      const data = labelledEmbeddings(workspace, input.run, input.type);
      const evaluated = {
        run: input.run,
        type: data.type,
        labelled: data.labels.length,
        classes: data.classNames,
        without_embedding: data.withoutEmbedding,
      };
      const seconds = () => (performance.now() - started) / 1000;
      if (input.task === 'clustering') {
        const figure = clustering(data, input.repeats, input.seed);
        return { task: 'clustering', ...evaluated, ...figure, seconds: seconds() };
      }
      const results = await nodeClassification(data, {
        fractions: input.fractions,
        splits: input.repeats,
        seed: input.seed,
        signal,
        onProgress: (done, total) => progress({ done, total }),
      });
      return {
        task: 'node-classification',
        ...evaluated,
        splits: input.repeats,
        results,
        seconds: seconds(),
      };
    } finally {
      workspace.close();
    }
  },
);

/** The linear and k-NN protocols of an image run: probe fits or a pass over every test image. */
export const imageProtocolJob = defineJob<
  { workspace: string; run: number } & (
    | { protocol: 'linear'; cs?: number[] }
    | { protocol: 'knn'; k?: number; temperature?: number }
  ),
  LinearEvaluation | KnnEvaluation,
  { done: number; total: number }
>(import.meta.url, 'image-protocol', async (input, { progress, signal }) => {
  const workspace = openWorkspace(input.workspace, { readonly: true });
  const onProgress = (done: number, total: number) => progress({ done, total });
  try {
    return input.protocol === 'linear'
      ? evaluateLinear(workspace, input.run, { cs: input.cs, signal, onProgress })
      : evaluateKnn(workspace, input.run, { k: input.k, temperature: input.temperature, signal, onProgress });
  } finally {
    workspace.close();
  }
});
