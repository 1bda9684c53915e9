// SimCLR v2's runs as jobs: fine-tuning, distillation and the bench each run in a worker thread
// with their own workspace connection (training steps then run in the trainer's own thread).
// Pretraining is SimCLR's own job (src/models/simclr/jobs.ts) with v2's settings.
import { defineJob } from '../../jobs/job.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { benchSimclr2, type Simclr2BenchProgress, type Simclr2BenchResult } from './bench.ts';
import type { DistillConfig, FinetuneConfig } from './config.ts';
import { type DistillResult, trainDistill } from './distill.ts';
import { type ClassifierProgress, type ClassifierResult, trainFinetune } from './finetune.ts';

interface RunsOn {
  workspace: string;
  device: DeviceChoice;
  threads?: number;
}

export const finetuneJob = defineJob<
  RunsOn & { from: number; config: FinetuneConfig; resume?: number },
  ClassifierResult & { config: FinetuneConfig },
  ClassifierProgress
>(import.meta.url, 'simclr2-finetune', async (input, { progress, signal }) => {
  const workspace = openWorkspace(input.workspace);
  try {
    return await trainFinetune(workspace, { ...input, onProgress: progress, signal });
  } finally {
    workspace.close();
  }
});

export const distillJob = defineJob<
  RunsOn & { teacher: number; config: DistillConfig; resume?: number },
  DistillResult,
  ClassifierProgress
>(import.meta.url, 'simclr2-distill', async (input, { progress, signal }) => {
  const workspace = openWorkspace(input.workspace);
  try {
    return await trainDistill(workspace, { ...input, onProgress: progress, signal });
  } finally {
    workspace.close();
  }
});

export const benchJob = defineJob<
  RunsOn & { pretrained: number; fractions: number[]; settings: Record<string, unknown> },
  Simclr2BenchResult,
  Simclr2BenchProgress
>(import.meta.url, 'simclr2-bench', async (input, { progress, signal }) => {
  const workspace = openWorkspace(input.workspace);
  try {
    return await benchSimclr2(workspace, { ...input, onProgress: progress, signal });
  } finally {
    workspace.close();
  }
});
