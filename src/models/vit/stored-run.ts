// A finished ViT run read back from the workspace: its config and data decisions, the same images
// and split (recomputed from the dataset, deterministically), and a plain inference session over
// its best parameters, for `eval RUN --protocol supervised` without a trainer thread.
import ort from 'onnxruntime-node';
import { exportInference } from '../../onnx/compile.ts';
import type { Program } from '../../onnx/program.ts';
import { readCheckpoint } from '../../onnx/runtime/checkpoint.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { bestCheckpoint, runDirectory } from '../run-directory.ts';
import { VitConfig } from './config.ts';
import { classify, type SupervisedMetrics, supervisedMetrics } from './evaluate.ts';
import { inferenceProgram } from './model.ts';
import { runImages, shapeOf, type VitData } from './train.ts';

export class RunNotUsable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunNotUsable';
  }
}

export interface SupervisedEvaluation extends SupervisedMetrics {
  run: number;
  model: 'vit';
  protocol: 'supervised';
  split: 'test';
  seconds: number;
}

/** A finished ViT run's settings and data decisions, checked usable by `purpose`. */
export function storedVitRun(workspace: Workspace, runId: number, purpose: string) {
  const run = workspace.runs.get(runId);
  if (!run) throw new RunNotUsable(`no run ${runId} in ${workspace.path}`);
  if (run.model !== 'vit') {
    throw new RunNotUsable(`run ${runId} is a ${run.model} run; ${purpose} needs a classifier (vit) run`);
  }
  if (run.status !== 'done') throw new RunNotUsable(`run ${runId} is ${run.status}, not done`);
  const { data, ...stored } = run.config as unknown as VitConfig & { data: VitData };
  const config = VitConfig.parse(stored);
  const dataset = workspace.datasets.get(run.datasetId);
  if (!dataset) throw new RunNotUsable(`the dataset of run ${runId} was deleted`);
  return { run, config, data, dataset };
}

/** An inference session over a run's best parameters, for `program` (an inference graph of the run's model). */
export async function bestParametersSession(
  workspace: Workspace,
  runId: number,
  program: Program,
  threads?: number,
): Promise<ort.InferenceSession> {
  const checkpoint = await readCheckpoint(bestCheckpoint(runDirectory(workspace.path, runId)), program).catch(
    (error: Error) => {
      throw new RunNotUsable(`run ${runId}: its best checkpoint cannot be read (${error.message})`);
    },
  );
  const parameters = new Map(Object.entries(checkpoint.parameters) as [string, Float32Array][]);
  return ort.InferenceSession.create(
    exportInference(program, parameters),
    threads ? { intraOpNumThreads: threads } : {},
  );
}

export async function evaluateSupervised(
  workspace: Workspace,
  runId: number,
  options: {
    threads?: number;
    signal?: AbortSignal;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<SupervisedEvaluation> {
  const started = performance.now();
  const { config, data, dataset } = storedVitRun(workspace, runId, 'the supervised protocol');
  const { set, split } = await runImages(workspace, dataset.name, config, {
    channels: data.channels,
    size: data.image_size,
  });
  if (set.classes.join('\n') !== data.classes.join('\n')) {
    throw new RunNotUsable(`dataset ${dataset.name} no longer has the classes run ${runId} was trained on`);
  }
  const rows = config.eval_batch;
  const program = inferenceProgram(config, shapeOf(data), data.normalisation, rows);
  const session = await bestParametersSession(workspace, runId, program, options.threads);
  try {
    const shape = [rows, data.channels, data.image_size, data.image_size];
    const { predicted } = await classify(
      set,
      split.test,
      rows,
      async (images) => {
        const out = await session.run({ images: new ort.Tensor('uint8', images, shape) });
        return { logits: out.logits.data as Float32Array };
      },
      { signal: options.signal, onProgress: options.onProgress },
    );
    return {
      run: runId,
      model: 'vit',
      protocol: 'supervised',
      split: 'test',
      ...supervisedMetrics(set, split.test, predicted),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await session.release();
  }
}
