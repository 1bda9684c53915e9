// Training commands. Runs of this process are tracked by id so train.pause can stop one that
// another call started (the UI pauses from any view); a paused run keeps its checkpoint.
import { resolve } from 'node:path';
import { runJob } from '../../jobs/run-job.ts';
import { trainableModel } from '../../training/catalog.ts';
import { trainJob } from '../../training/train-job.ts';
import type { Handler } from '../handler.ts';
import { isPauseRequested, PauseRequested } from '../pause.ts';
import { withWorkspace } from './datasets.ts';

const training = new Map<number, AbortController>();

export const startTraining: Handler<'train.start'> = async (input, { workspace, progress, signal }) => {
  // bad settings are answered here, as invalid input, before a thread starts
  if (input.resume === undefined) trainableModel(input.model).check(input);
  const controller = new AbortController();
  const stop = () => controller.abort(signal.reason);
  signal.addEventListener('abort', stop, { once: true });
  let run: number | null = input.resume ?? null;
  try {
    const result = await runJob(
      trainJob,
      { ...input, workspace: resolve(workspace) },
      {
        signal: controller.signal,
        // a checkpoint of a large model takes a while to write
        graceMs: 60_000,
        onProgress(event) {
          if (event.run !== null && run !== event.run) {
            run = event.run;
            training.set(run, controller);
          }
          progress(event);
        },
      },
    );
    return { run: result.run, status: 'done', seconds: result.seconds, metrics: result.metrics };
  } catch (error) {
    if (run !== null && isPauseRequested(controller.signal)) {
      const paused = markPaused(workspace, run);
      if (paused) return { run, status: 'paused', seconds: paused.seconds, metrics: paused.metrics };
    }
    throw error;
  } finally {
    signal.removeEventListener('abort', stop);
    if (run !== null) training.delete(run);
  }
};

/** A stopped run with a checkpoint becomes `paused`; one without cannot resume and stays cancelled. */
function markPaused(workspace: string, run: number) {
  return withWorkspace(workspace, false, (ws) => {
    if (ws.runs.checkpoints(run).length === 0) return null;
    ws.runs.setStatus(run, 'paused');
    return ws.runs.list().find((r) => r.id === run)!;
  });
}

export const pauseTraining: Handler<'train.pause'> = async ({ run }) => {
  const controller = training.get(run);
  controller?.abort(new PauseRequested());
  return { run, pausing: controller !== undefined };
};
