// BERT4Rec work as jobs: training, ranking evaluation and the benchmark each run in a worker
// thread with its own workspace connection (training steps then run in the trainer's own thread).
import type { ProtocolName, RankingMetrics } from '../../eval/ranking.ts';
import { defineJob } from '../../jobs/job.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { type Bert4RecBenchOptions, type Bert4RecBenchResult, benchBert4Rec } from './bench.ts';
import type { Bert4RecConfig } from './config.ts';
import { evaluateRanking, evaluationUsers } from './evaluate.ts';
import { openStoredRun } from './stored-run.ts';
import { type TrainProgress, type TrainResult, trainBert4Rec } from './train.ts';

export interface TrainJobInput {
  workspace: string;
  dataset: string;
  config: Bert4RecConfig;
  device: DeviceChoice;
  threads?: number;
  resume?: number;
}

export const trainJob = defineJob<TrainJobInput, TrainResult, TrainProgress>(
  import.meta.url,
  'bert4rec-train',
  async (input, { progress, signal }) => {
    const workspace = openWorkspace(input.workspace);
    try {
      return await trainBert4Rec(workspace, { ...input, onProgress: progress, signal });
    } finally {
      workspace.close();
    }
  },
);

export interface EvalJobInput {
  workspace: string;
  run: number;
  protocol: ProtocolName;
  /** negatives' seed; the run's seed when absent */
  seed?: number;
  threads?: number;
}

export type EvalJobOutput = RankingMetrics & {
  run: number;
  model: string;
  protocol: ProtocolName;
  users: number;
  excluded_users: number;
  seconds: number;
};

export const evalJob = defineJob<EvalJobInput, EvalJobOutput, { done: number; total: number }>(
  import.meta.url,
  'bert4rec-eval',
  async (input, { progress, signal }) => {
    const started = performance.now();
    const workspace = openWorkspace(input.workspace, { readonly: true });
    try {
      const stored = openStoredRun(workspace, input.run, input.threads);
      const { config, split } = stored;
      const users = evaluationUsers(split, 0, config.seed);
      const scorer = await stored.scorer(config.eval_batch);
      try {
        const metrics = await evaluateRanking(split, config, scorer.score, {
          phase: 'test',
          protocols: [input.protocol],
          users,
          rows: config.eval_batch,
          seed: input.seed ?? config.seed,
          signal,
          onProgress: (done, total) => progress({ done, total }),
        });
        return {
          run: input.run,
          model: stored.model,
          protocol: input.protocol,
          ...metrics[input.protocol],
          users: users.length,
          excluded_users: split.stats.excluded_users,
          seconds: (performance.now() - started) / 1000,
        };
      } finally {
        await scorer.release();
      }
    } finally {
      workspace.close();
    }
  },
);

export const benchJob = defineJob<Bert4RecBenchOptions, Bert4RecBenchResult>(
  import.meta.url,
  'bert4rec-bench',
  async (options) => benchBert4Rec(options),
);
