// Video work as jobs: generating a motion dataset, training and supervised evaluation each run in a
// worker thread with its own workspace connection (training steps then run in the trainer's thread).
import { defineJob } from '../../jobs/job.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { VivitConfig } from './config.ts';
import { generateMotionDataset, type MotionSpec } from './motion-dataset.ts';
import { evaluateVideoSupervised, type VideoSupervisedEvaluation } from './stored-run.ts';
import { trainVideo, type VideoProgress, type VideoTrainResult } from './train.ts';

export interface VideoTrainJobInput {
  workspace: string;
  dataset: string;
  config: VivitConfig;
  device: DeviceChoice;
  threads?: number;
  resume?: number;
}

export const videoTrainJob = defineJob<VideoTrainJobInput, VideoTrainResult, VideoProgress>(
  import.meta.url,
  'video-train',
  async (input, { progress, signal }) => {
    const workspace = openWorkspace(input.workspace);
    try {
      return await trainVideo(workspace, { ...input, onProgress: progress, signal });
    } finally {
      workspace.close();
    }
  },
);

export const videoEvalJob = defineJob<
  { workspace: string; run: number; threads?: number },
  VideoSupervisedEvaluation,
  { done: number; total: number }
>(import.meta.url, 'video-eval-supervised', async (input, { progress, signal }) => {
  const workspace = openWorkspace(input.workspace, { readonly: true });
  try {
    return await evaluateVideoSupervised(workspace, input.run, {
      threads: input.threads,
      signal,
      onProgress: (done, total) => progress({ done, total }),
    });
  } finally {
    workspace.close();
  }
});

export interface MotionJobInput extends MotionSpec {
  workspace: string;
  name: string;
  from?: string;
}

export const motionJob = defineJob<
  MotionJobInput,
  { dataset: string; clips: number; classes: string[]; frames: number; size: number },
  { done: number; total: number }
>(import.meta.url, 'generate-motion', async ({ workspace: path, ...request }, { progress }) => {
  const workspace = openWorkspace(path);
  try {
    const dataset = await generateMotionDataset(workspace, request, (done, total) =>
      progress({ done, total }),
    );
    const classes = Object.keys(dataset.stats.classes ?? {}).sort();
    return {
      dataset: dataset.name,
      clips: request.clips,
      classes,
      frames: request.frames,
      size: request.size,
    };
  } finally {
    workspace.close();
  }
});
