// Messages between runJob (parent) and job-worker.ts (thread).
import type { SerializedError } from './errors.ts';

export interface WorkerStart {
  module: string;
  name: string;
  input: unknown;
}

export type ToWorker = { type: 'cancel' };

export type ToParent =
  | { type: 'progress'; event: unknown }
  | { type: 'result'; output: unknown }
  | { type: 'error'; error: SerializedError };
