import { Worker } from 'node:worker_threads';
import { JobFailed, JobTerminated } from './errors.ts';
import type { Job } from './job.ts';
import type { ToParent, ToWorker, WorkerStart } from './protocol.ts';
import { transferables } from './transfer.ts';

export interface RunJobOptions<P> {
  onProgress?: (event: P) => void;
  signal?: AbortSignal;
  /** how long a cancelled job may take to stop by itself (roll back, close files) before its thread is killed */
  graceMs?: number;
}

const workerEntry = new URL('./worker-entry.mjs', import.meta.url);

/**
 * Runs a job in its own worker thread and resolves with its output. Typed-array buffers in the
 * input, progress events and output are transferred, not copied (the caller's input buffers are
 * detached afterwards). Aborting `signal` asks the job to stop; the promise then settles with
 * whatever the job did (usually its cancellation error), or with JobTerminated after `graceMs`.
 * An exception in the job rejects with JobFailed carrying the worker's name, message and stack.
 */
export function runJob<I, O, P>(job: Job<I, O, P>, input: I, options: RunJobOptions<P> = {}): Promise<O> {
  const { onProgress, signal, graceMs = 10_000 } = options;
  return new Promise<O>((resolve, reject) => {
    const start: WorkerStart = { module: job.module, name: job.name, input };
    const worker = new Worker(workerEntry, {
      workerData: start,
      transferList: transferables(input),
      // The parent's flags (--test, --import tsx) are not the job's business.
      execArgv: [],
    });
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;

    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', cancel);
      clearTimeout(killTimer);
      settle();
      void worker.terminate();
    };
    function cancel() {
      worker.postMessage({ type: 'cancel' } satisfies ToWorker);
      killTimer = setTimeout(() => finish(() => reject(new JobTerminated(job.name, graceMs))), graceMs);
    }

    worker.on('message', (message: ToParent) => {
      if (settled) return;
      if (message.type === 'progress') onProgress?.(message.event as P);
      else if (message.type === 'result') finish(() => resolve(message.output as O));
      else finish(() => reject(new JobFailed(message.error)));
    });
    // Uncaught errors outside the job's promise (a throw in a timer, a failed module import).
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`job ${job.name} ended (exit code ${code}) without a result`))),
    );

    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
  });
}
