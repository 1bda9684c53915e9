// A finished BERT4Rec / SASRec / popularity run read back from the workspace: its config, the
// same split (recomputed from the dataset, deterministically), and a scorer over its best
// parameters, for `eval` and `recommend` without the training code's trainer thread.
import ort from 'onnxruntime-node';
import { exportInference } from '../../onnx/compile.ts';
import { readCheckpoint } from '../../onnx/runtime/checkpoint.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { bestCheckpoint, runDirectory } from '../run-directory.ts';
import { Bert4RecConfig } from './config.ts';
import { popularityScorer, type Scorer } from './evaluate.ts';
import { scoreProgram } from './model.ts';
import { loadSplit, type SequenceSplit, trainingPopularity } from './sequences.ts';
import { modelNameOf } from './train.ts';

export class RunNotUsable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunNotUsable';
  }
}

export interface StoredRun {
  run: number;
  model: string;
  dataset: string;
  config: Bert4RecConfig;
  split: SequenceSplit;
  /** scores rows of `rows` histories at a time */
  scorer(rows: number): Promise<{ score: Scorer; release(): Promise<void> }>;
}

const sequentialModels = new Set(['bert4rec', 'sasrec', 'popularity']);

export function openStoredRun(workspace: Workspace, runId: number, threads?: number): StoredRun {
  const run = workspace.runs.get(runId);
  if (!run) throw new RunNotUsable(`no run ${runId} in ${workspace.path}`);
  if (!sequentialModels.has(run.model)) {
    throw new RunNotUsable(
      `run ${runId} is a ${run.model} run; ranking evaluation and recommendations need a BERT4Rec, SASRec or popularity run`,
    );
  }
  if (run.status !== 'done') throw new RunNotUsable(`run ${runId} is ${run.status}, not done`);
  const { split: _stats, ...stored } = run.config as Record<string, unknown>;
  const config = Bert4RecConfig.parse(stored);
  const dataset = workspace.datasets.list().find((d) => d.id === run.datasetId);
  if (!dataset) throw new RunNotUsable(`the dataset of run ${runId} was deleted`);
  const split = loadSplit(workspace, dataset.name, config.k_core);
  const dir = runDirectory(workspace.path, runId);
  return {
    run: runId,
    model: modelNameOf(config.objective),
    dataset: dataset.name,
    config,
    split,
    async scorer(rows) {
      if (config.objective === 'popularity') {
        return {
          score: popularityScorer(trainingPopularity(split, config.train_on_validation), rows),
          release: async () => {},
        };
      }
      const program = scoreProgram(config, split.items, rows);
      const checkpoint = await readCheckpoint(bestCheckpoint(dir), program).catch((error: Error) => {
        throw new RunNotUsable(`run ${runId}: its best checkpoint cannot be read (${error.message})`);
      });
      const parameters = new Map(Object.entries(checkpoint.parameters) as [string, Float32Array][]);
      const session = await ort.InferenceSession.create(
        exportInference(program, parameters),
        threads ? { intraOpNumThreads: threads } : {},
      );
      const T = config.max_len;
      return {
        score: async (ids) => {
          const out = await session.run({ ids: new ort.Tensor('int64', ids, [rows, T]) });
          return out.scores.data as Float32Array;
        },
        release: () => session.release(),
      };
    },
  };
}
