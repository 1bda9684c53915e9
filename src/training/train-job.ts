// A training run as a job: the worker opens its own workspace connection and runs the model's
// trainer, so the thread serving the UI only relays progress. Stopping: the job's signal aborts the
// trainer, which checkpoints where it can and marks the run cancelled; the caller may then mark it paused.
import type { TrainingProgress } from '../api/schema/train.ts';
import { defineJob } from '../jobs/job.ts';
import type { Workspace } from '../workspace/workspace.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { trainableModel } from './catalog.ts';

export interface TrainJobInput {
  workspace: string;
  dataset: string;
  model: string;
  preset?: string;
  config: Record<string, unknown>;
  device: string;
  inputs: Record<string, string[]>;
  resume?: number;
}

export interface TrainJobOutput {
  run: number;
  seconds: number;
  metrics: Record<string, number | null>;
}

/** Learns the id of the run the model's trainer records, as it records it. */
function watchRunCreation(workspace: Workspace, onRun: (id: number) => void): void {
  const runs = workspace.runs;
  const create = runs.create.bind(runs);
  runs.create = (run) => {
    const created = create(run);
    onRun(created.id);
    return created;
  };
}

/** The last value of each validation metric (the trainers record them as val/<protocol>/<name>). */
function validationFigures(workspace: Workspace, run: number): Record<string, number> {
  const last = workspace.runs.list().find((r) => r.id === run)?.metrics ?? {};
  return Object.fromEntries(
    Object.entries(last).filter((e): e is [string, number] => e[0].startsWith('val/') && e[1] !== null),
  );
}

export const trainJob = defineJob<TrainJobInput, TrainJobOutput, TrainingProgress>(
  import.meta.url,
  'train',
  async (input, { progress, signal }) => {
    const started = performance.now();
    const workspace = openWorkspace(input.workspace);
    try {
      let run: number | null = input.resume ?? null;
      watchRunCreation(workspace, (id) => {
        run = id;
      });
      let epoch: number | undefined;
      let metrics: Record<string, number> | undefined;
      await trainableModel(input.model).train(workspace, {
        dataset: input.dataset,
        preset: input.preset,
        config: input.config,
        device: input.device,
        inputs: input.inputs,
        resume: input.resume,
        signal,
        onProgress(p) {
          if (run !== null && p.epoch !== undefined && p.epoch !== epoch) {
            // an epoch ended: its validation figures were just recorded
            epoch = p.epoch;
            const figures = validationFigures(workspace, run);
            if (Object.keys(figures).length > 0) metrics = figures;
          }
          progress({ ...p, run, metrics });
        },
      });
      if (run === null) throw new Error(`${input.model} finished without recording a run`);
      const summary = workspace.runs.list().find((r) => r.id === run);
      return { run, seconds: (performance.now() - started) / 1000, metrics: summary?.metrics ?? {} };
    } finally {
      workspace.close();
    }
  },
);
