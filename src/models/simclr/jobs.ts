// SimCLR training as a job: a worker thread with its own workspace connection (training steps then
// run in the trainer's own thread).
import { defineJob } from '../../jobs/job.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { SimclrConfig } from './config.ts';
import { type SimclrProgress, type SimclrTrainResult, trainSimclr } from './train.ts';

export interface SimclrTrainJobInput {
  workspace: string;
  dataset: string;
  config: SimclrConfig;
  device: DeviceChoice;
  threads?: number;
  resume?: number;
}

export const simclrTrainJob = defineJob<SimclrTrainJobInput, SimclrTrainResult, SimclrProgress>(
  import.meta.url,
  'simclr-train',
  async (input, { progress, signal }) => {
    const workspace = openWorkspace(input.workspace);
    try {
      return await trainSimclr(workspace, { ...input, onProgress: progress, signal });
    } finally {
      workspace.close();
    }
  },
);
