// Contrastive-pairs training as a job: a worker thread with its own workspace connection (the
// training steps then run in the trainer's own thread).
import { defineJob } from '../../jobs/job.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { ContrastivePairsConfig } from './config.ts';
import {
  type ContrastivePairsProgress,
  type ContrastivePairsResult,
  trainContrastivePairs,
} from './train.ts';

export interface ContrastivePairsJobInput {
  workspace: string;
  dataset: string;
  config: ContrastivePairsConfig;
  device: DeviceChoice;
  threads?: number;
  resume?: number;
}

export const contrastivePairsTrainJob = defineJob<
  ContrastivePairsJobInput,
  ContrastivePairsResult,
  ContrastivePairsProgress
>(import.meta.url, 'contrastive-pairs-train', async (input, { progress, signal }) => {
  const workspace = openWorkspace(input.workspace);
  try {
    return await trainContrastivePairs(workspace, { ...input, onProgress: progress, signal });
  } finally {
    workspace.close();
  }
});
