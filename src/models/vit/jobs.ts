// ViT work as jobs: training, supervised evaluation and the benchmark each run in a worker thread
// with its own workspace connection (training steps then run in the trainer's own thread).
import { defineJob } from '../../jobs/job.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { benchVit, type VitBenchOptions, type VitBenchResult } from './bench.ts';
import type { PresetChoice, VitConfig } from './config.ts';
import { evaluateSupervised, type SupervisedEvaluation } from './stored-run.ts';
import { trainVit, type VitProgress, type VitTrainResult } from './train.ts';

export interface VitTrainJobInput {
  workspace: string;
  dataset: string;
  config: VitConfig | PresetChoice;
  device: DeviceChoice;
  threads?: number;
  resume?: number;
}

export const vitTrainJob = defineJob<VitTrainJobInput, VitTrainResult, VitProgress>(
  import.meta.url,
  'vit-train',
  async (input, { progress, signal }) => {
    const workspace = openWorkspace(input.workspace);
    try {
      return await trainVit(workspace, { ...input, onProgress: progress, signal });
    } finally {
      workspace.close();
    }
  },
);

export const supervisedEvalJob = defineJob<
  { workspace: string; run: number; threads?: number },
  SupervisedEvaluation,
  { done: number; total: number }
>(import.meta.url, 'vit-eval-supervised', async (input, { progress, signal }) => {
  const workspace = openWorkspace(input.workspace, { readonly: true });
  try {
    return await evaluateSupervised(workspace, input.run, {
      threads: input.threads,
      signal,
      onProgress: (done, total) => progress({ done, total }),
    });
  } finally {
    workspace.close();
  }
});

export const vitBenchJob = defineJob<VitBenchOptions, VitBenchResult>(
  import.meta.url,
  'vit-bench',
  async (options) => benchVit(options),
);
