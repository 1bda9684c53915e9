// The training loop every epoch-based model shares (ViT, SimCLR): the model hands it its compiled
// programs, the batches of an epoch from a cursor position, its validation score and what to do
// once training ends; the loop does the rest the same way for each. The trainer thread steps
// while this thread builds the next batch; a non-finite loss or gradient norm stops the run and
// leaves the last good checkpoint; the training loss goes to the run every 50 steps and the
// progress (rate, ETA) about once a second; a cancel (during a step or a validation) writes a
// checkpoint with the cursor, so a resume continues where it stopped; a time limit ends training
// after the current step; after each epoch the validation score decides the best checkpoint and
// early stopping. At the end the best checkpoint's parameters are loaded for the model's finish.
import { mkdirSync } from 'node:fs';
import type { Program } from '../onnx/program.ts';
import { readCheckpoint } from '../onnx/runtime/checkpoint.ts';
import type { DeviceChoice } from '../onnx/runtime/devices.ts';
import type { Batch } from '../onnx/runtime/trainer.ts';
import { TrainerThread } from '../onnx/runtime/trainer-thread.ts';
import type { Workspace } from '../workspace/workspace.ts';
import { bestCheckpoint, lastCheckpoint, runDirectory } from './run-directory.ts';

export class TrainingDiverged extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDiverged';
  }
}

export class TrainingCancelled extends Error {
  constructor(run: number, step: number) {
    super(
      `training of run ${run} cancelled at step ${step}; a checkpoint was kept (resume it with --resume ${run})`,
    );
    this.name = 'AbortError';
  }
}

/** Where the data pipeline and early stopping stand: what a checkpoint's cursor holds. */
export interface LoopCursor {
  epoch: number;
  /** position in the epoch's order after the last step */
  position: number;
  bestEpoch: number;
  bestScore: number;
  /** what the model kept of its best validation (ValidationResult.details) */
  bestDetails: unknown;
  badEpochs: number;
  /** examples (images, sequences) trained on so far */
  examples: number;
  trainSeconds: number;
}

/** One step's batch, the cursor position after it and how many real examples it holds. */
export interface StepBatch {
  batch: Batch;
  next: number;
  examples: number;
  /** the train program it is shaped for: 0 the loop's `program`, k its `variants[k - 1]` */
  variant?: number;
}

export interface TrainingProgress {
  epoch: number;
  step: number;
  loss: number;
  lr?: number;
  /** examples per second since the epoch (or the resume) began */
  rate: number;
  /** seconds left in the training phase at that rate */
  eta_s?: number;
  /** the share of all the epochs' examples trained so far (0 to 1), for a progress bar */
  trained: number;
}

export interface LoopSummary {
  device: string;
  epochs: number;
  steps: number;
  best_epoch: number;
  stopped: 'epochs' | 'patience' | 'time';
  examples_per_s: number;
  best_score: number;
}

/** How a run of the shared loop went, as every trainer reports it (beside its rate, in its own unit). */
export interface RunOutcome {
  run: number;
  seconds: number;
  cpu_seconds: number;
  device: string;
  epochs: number;
  steps: number;
  best_epoch: number;
  stopped: LoopSummary['stopped'];
}

export interface TrainingLoop<Result> {
  workspace: Workspace;
  run: number;
  program: Program;
  /** the same step at other batch shapes, sharing the program's parameters and optimizer state */
  variants?: Program[];
  /** the inference program validation (and the finish) evaluate through */
  evaluation: Program;
  device: DeviceChoice;
  threads?: number;
  /** continue from the run's last checkpoint */
  resume: boolean;
  epochs: number;
  patience: number;
  /** 0: no limit */
  timeLimitS: number;
  /** examples in one epoch, for the ETA */
  examplesPerEpoch: number;
  /** the batches of `epoch` from position `from` of its order on */
  batches(epoch: number, from: number): Iterator<StepBatch>;
  /**
   * The validation score (higher is better) and the metrics to store with the run. An AbortError
   * thrown here checkpoints the epoch's training, so a resume goes straight to this validation.
   */
  validate(thread: TrainerThread, at: { epoch: number; step: number }): Promise<ValidationResult>;
  /** false when there is nothing to validate on: `validate` is not called, and every epoch counts as the best so far */
  validates: boolean;
  /** per-step metrics summed over an epoch and stored as their mean per example (step metric -> run metric) */
  epochMeans?: Record<string, string>;
  /** what to try when the loss diverges, e.g. `lower lr (now 0.003) or clip_norm` */
  divergenceAdvice: string;
  onTraining(progress: TrainingProgress): void;
  signal?: AbortSignal;
  /** after training, the best checkpoint's parameters loaded in `thread`, with the details of its validation */
  finish(thread: TrainerThread, summary: LoopSummary, bestDetails: unknown): Promise<Result>;
}

export interface ValidationResult {
  score: number;
  metrics: Record<string, number>;
  /** anything else of this validation the model wants back with the best epoch (JSON, it goes into checkpoints) */
  details?: unknown;
}

/**
 * The loop's settings that every trainer takes the same way from its request (device, threads, the
 * run it resumes) and its config (epochs, patience, time limit).
 */
export function loopSettings(
  request: { device: DeviceChoice; threads?: number; resume?: number },
  config: { epochs: number; patience: number; time_limit_s: number },
) {
  return {
    device: request.device,
    threads: request.threads,
    resume: request.resume !== undefined,
    epochs: config.epochs,
    patience: config.patience,
    timeLimitS: config.time_limit_s,
  };
}

export async function runTrainingLoop<Result>(loop: TrainingLoop<Result>): Promise<Result> {
  const { workspace, run: runId, signal } = loop;
  const dir = runDirectory(workspace.path, runId);
  mkdirSync(dir, { recursive: true });
  const last = lastCheckpoint(dir);
  const best = bestCheckpoint(dir);
  const thread = await TrainerThread.start({
    program: loop.program,
    variants: loop.variants,
    evaluation: loop.evaluation,
    device: loop.device,
    threads: loop.threads,
    resumeFrom: loop.resume ? last : undefined,
  });
  const started = thread.started;
  const cursor: LoopCursor = (started.cursor as LoopCursor | null) ?? {
    epoch: 0,
    position: 0,
    bestEpoch: -1,
    bestScore: -1,
    bestDetails: null,
    badEpochs: 0,
    examples: 0,
    trainSeconds: 0,
  };
  let step = started.step;
  let lastGood = started.step;
  let stopped: LoopSummary['stopped'] = 'epochs';
  const cancel = async () => {
    await thread.checkpoint(last, { cursor });
    workspace.runs.addCheckpoint(runId, step, { path: last });
    return new TrainingCancelled(runId, step);
  };
  try {
    // a checkpoint before the first step, so even a run that diverges at once leaves one
    if (!loop.resume) await thread.checkpoint(last, { cursor });
    while (cursor.epoch < loop.epochs) {
      const epoch = cursor.epoch;
      const batches = loop.batches(epoch, cursor.position);
      let pending = batches.next();
      let lastReport = 0;
      let segmentStart = performance.now();
      let segmentExamples = 0;
      let lossSum = 0;
      let seen = 0;
      const sums: Record<string, number> = {};
      while (!pending.done) {
        const { batch, next, examples, variant } = pending.value;
        const stepping = thread.step(batch, variant);
        pending = batches.next();
        const { loss, metrics } = await stepping;
        if (!Number.isFinite(loss) || !Number.isFinite(metrics.grad_norm ?? 0)) {
          throw new TrainingDiverged(
            `training diverged: loss ${loss} at step ${step + 1} (epoch ${epoch}); the last good checkpoint (step ${lastGood}) is kept in ${last}; ${loop.divergenceAdvice}`,
          );
        }
        step++;
        cursor.position = next;
        cursor.examples += examples;
        segmentExamples += examples;
        lossSum += loss * examples;
        seen += examples;
        for (const key of Object.keys(loop.epochMeans ?? {})) sums[key] = (sums[key] ?? 0) + metrics[key];
        const now = performance.now();
        if (step % 50 === 0) workspace.runs.appendMetrics(runId, [{ name: 'train/loss', step, value: loss }]);
        if (now - lastReport > 1000) {
          lastReport = now;
          const rate = (segmentExamples * 1000) / (now - segmentStart);
          const left = (loop.epochs - epoch) * loop.examplesPerEpoch - cursor.position;
          loop.onTraining({
            epoch,
            step,
            loss,
            lr: metrics.lr,
            rate,
            eta_s: rate > 0 ? left / rate : undefined,
            trained: Math.min(1, Math.max(0, 1 - left / (loop.epochs * loop.examplesPerEpoch))),
          });
        }
        if (signal?.aborted) {
          cursor.trainSeconds += (now - segmentStart) / 1000;
          throw await cancel();
        }
        if (loop.timeLimitS > 0 && cursor.trainSeconds + (now - segmentStart) / 1000 > loop.timeLimitS) {
          stopped = 'time';
          break;
        }
      }
      cursor.trainSeconds += (performance.now() - segmentStart) / 1000;
      segmentStart = performance.now();
      segmentExamples = 0;
      // with nothing to validate on, no validation runs and every epoch is the best so far
      let validation: ValidationResult = { score: 0, metrics: {} };
      try {
        if (loop.validates) validation = await loop.validate(thread, { epoch, step });
      } catch (error) {
        if ((error as Error).name !== 'AbortError') throw error;
        throw await cancel();
      }
      const points = Object.entries(validation.metrics).map(([name, value]) => ({ name, step, value }));
      if (seen > 0) {
        points.push({ name: 'train/epoch_loss', step, value: lossSum / seen });
        for (const [key, name] of Object.entries(loop.epochMeans ?? {})) {
          points.push({ name, step, value: sums[key] / seen });
        }
      }
      workspace.runs.appendMetrics(runId, points);
      if (validation.score > cursor.bestScore || !loop.validates) {
        cursor.bestScore = validation.score;
        cursor.bestDetails = validation.details ?? null;
        cursor.bestEpoch = epoch;
        cursor.badEpochs = 0;
        await thread.checkpoint(best, { cursor });
        workspace.runs.addCheckpoint(runId, step, { path: best });
      } else cursor.badEpochs++;
      cursor.epoch = epoch + 1;
      cursor.position = 0;
      await thread.checkpoint(last, { cursor });
      lastGood = step;
      if (stopped === 'time') break;
      if (cursor.badEpochs >= loop.patience) {
        stopped = 'patience';
        break;
      }
    }
    const kept = await readCheckpoint(best, loop.program);
    await thread.setParameters(kept.parameters);
    return await loop.finish(
      thread,
      {
        device: started.provider,
        epochs: cursor.epoch,
        steps: step,
        best_epoch: cursor.bestEpoch,
        stopped,
        examples_per_s: cursor.trainSeconds > 0 ? cursor.examples / cursor.trainSeconds : 0,
        best_score: cursor.bestScore,
      },
      cursor.bestDetails,
    );
  } finally {
    await thread.stop();
  }
}

/**
 * Runs `train` for a run and records how it ended: done (with its wall seconds), cancelled, or
 * failed with the error's message. Returns the result with the run's wall and CPU seconds.
 */
export async function recordRun<Result>(
  workspace: Workspace,
  run: number,
  train: () => Promise<Result>,
): Promise<Result & { seconds: number; cpu_seconds: number }> {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  workspace.runs.setStatus(run, 'running');
  try {
    const result = await train();
    const seconds = (performance.now() - wallStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    workspace.runs.addSeconds(run, seconds);
    workspace.runs.setStatus(run, 'done');
    return { ...result, seconds, cpu_seconds: (cpu.user + cpu.system) / 1e6 };
  } catch (error) {
    // a cancelled or failed run still took this long: its duration in Runs sums every segment
    workspace.runs.addSeconds(run, (performance.now() - wallStart) / 1000);
    const cancelled = (error as Error).name === 'AbortError';
    workspace.runs.setStatus(
      run,
      cancelled ? 'cancelled' : 'failed',
      cancelled ? null : (error as Error).message,
    );
    throw error;
  }
}
