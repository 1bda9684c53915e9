// Messages between a TrainerThread (parent) and trainer-worker.ts (its thread). Each request
// carries an id and gets exactly one reply with that id: a result or a serialized error.
//
// Why not runJob (src/jobs): a job is one call (input -> progress* -> output) with cancel as the
// only message in; a trainer is a conversation (start, many steps, reads, checkpoints, stop)
// with the session kept alive in between. The error shape and buffer transfer are shared.
import type { SerializedError } from '../../jobs/errors.ts';
import type { HostArray } from '../dtype.ts';
import type { Program } from '../program.ts';
import type { DeviceChoice } from './devices.ts';
import type { ProfileSummary } from './profile.ts';
import type { Batch, EvalResult, StepResult } from './trainer.ts';

export interface StartRequest {
  program: Program;
  device?: DeviceChoice;
  threads?: number;
  profile?: boolean;
  /** an eval Program to attach */
  evaluation?: Program;
  /** other train Programs over the same parameters and state (TrainerOptions.variants) */
  variants?: Program[];
  /** a checkpoint file to continue from */
  resumeFrom?: string;
}

export interface Started {
  provider: string;
  threads: number;
  reason: string;
  step: number;
  /** from the checkpoint when resuming, else null */
  rng: unknown;
  cursor: unknown;
}

/** Each call's request and reply. */
export interface TrainerCalls {
  start: { input: StartRequest; output: Started };
  step: { input: { batch: Batch; variant: number }; output: StepResult };
  evaluate: { input: Batch; output: EvalResult };
  parameters: { input: null; output: Record<string, Float32Array | Float64Array> };
  setParameters: { input: Record<string, HostArray>; output: null };
  checkpoint: { input: { file: string; rng?: unknown; cursor?: unknown }; output: { step: number } };
  profile: { input: { scopeDepth?: number }; output: ProfileSummary };
  stop: { input: null; output: null };
}

export type TrainerCall = keyof TrainerCalls;

export type ToTrainer = {
  [K in TrainerCall]: { id: number; type: K; input: TrainerCalls[K]['input'] };
}[TrainerCall];

export type FromTrainer =
  | { id: number; type: 'result'; output: unknown }
  | { id: number; type: 'error'; error: SerializedError };
