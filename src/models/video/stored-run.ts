// A finished video run read back from the workspace, for `eval RUN --protocol supervised`: its
// clips decoded and split again (deterministically) and a plain inference session over its best
// parameters, scored on the test split as ViT runs are (../vit/stored-run.ts).
import ort from 'onnxruntime-node';
import { exportInference } from '../../onnx/compile.ts';
import { readCheckpoint } from '../../onnx/runtime/checkpoint.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { bestCheckpoint, runDirectory } from '../run-directory.ts';
import { classify, type SupervisedMetrics, supervisedMetrics } from '../vit/evaluate.ts';
import { RunNotUsable } from '../vit/stored-run.ts';
import { VivitConfig } from './config.ts';
import { inferenceProgram } from './model.ts';
import { runClips, shapeOf, type VideoData } from './train.ts';

export interface VideoSupervisedEvaluation extends SupervisedMetrics {
  run: number;
  model: 'vivit';
  protocol: 'supervised';
  split: 'test';
  seconds: number;
}

export async function evaluateVideoSupervised(
  workspace: Workspace,
  runId: number,
  options: {
    threads?: number;
    signal?: AbortSignal;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<VideoSupervisedEvaluation> {
  const started = performance.now();
  const run = workspace.runs.get(runId);
  if (!run) throw new RunNotUsable(`no run ${runId} in ${workspace.path}`);
  if (run.model !== 'vivit') throw new RunNotUsable(`run ${runId} is a ${run.model} run, not a video run`);
  if (run.status !== 'done') throw new RunNotUsable(`run ${runId} is ${run.status}, not done`);
  const { data, ...stored } = run.config as unknown as VivitConfig & { data: VideoData };
  const config = VivitConfig.parse(stored);
  const dataset = workspace.datasets.get(run.datasetId);
  if (!dataset) throw new RunNotUsable(`the dataset of run ${runId} was deleted`);
  const { set, split } = await runClips(workspace, dataset.name, config, {
    frames: data.frames,
    channels: data.channels,
    size: data.image_size,
  });
  if (set.classes.join('\n') !== data.classes.join('\n')) {
    throw new RunNotUsable(`dataset ${dataset.name} no longer has the classes run ${runId} was trained on`);
  }
  const rows = config.eval_batch;
  const program = inferenceProgram(config, shapeOf(data), data.normalisation, rows);
  const checkpoint = await readCheckpoint(bestCheckpoint(runDirectory(workspace.path, runId)), program).catch(
    (error: Error) => {
      throw new RunNotUsable(`run ${runId}: its best checkpoint cannot be read (${error.message})`);
    },
  );
  const parameters = new Map(Object.entries(checkpoint.parameters) as [string, Float32Array][]);
  const session = await ort.InferenceSession.create(
    exportInference(program, parameters),
    options.threads ? { intraOpNumThreads: options.threads } : {},
  );
  try {
    const shape = [rows, data.frames, data.channels, data.image_size, data.image_size];
    const { predicted } = await classify(
      set,
      split.test,
      rows,
      async (clips) => {
        const out = await session.run({ clips: new ort.Tensor('uint8', clips, shape) });
        return { logits: out.logits.data as Float32Array };
      },
      { signal: options.signal, onProgress: options.onProgress },
    );
    return {
      run: runId,
      model: 'vivit',
      protocol: 'supervised',
      split: 'test',
      ...supervisedMetrics(set, split.test, predicted),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await session.release();
  }
}
