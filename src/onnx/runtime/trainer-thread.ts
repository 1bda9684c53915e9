// A Trainer in its own worker thread: the same calls as Trainer, as promises. Batch buffers are
// transferred to the thread (the caller's arrays are detached afterwards) and parameters come
// back transferred, so nothing large is copied between threads.
import { Worker } from 'node:worker_threads';
import { JobFailed } from '../../jobs/errors.ts';
import { transferables } from '../../jobs/transfer.ts';
import type { HostArray } from '../dtype.ts';
import type { ProfileSummary } from './profile.ts';
import type { Batch, EvalResult, StepResult } from './trainer.ts';
import type {
  FromTrainer,
  Started,
  StartRequest,
  ToTrainer,
  TrainerCall,
  TrainerCalls,
} from './trainer-protocol.ts';

const entry = new URL('./trainer-worker-entry.mjs', import.meta.url);

export class TrainerThread {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private nextId = 0;
  private exited: Error | null = null;
  private startedWith: Started | null = null;

  private constructor(worker: Worker) {
    this.worker = worker;
  }

  /** The device the thread trains on and, when resuming, the step, RNG state and cursor it resumed at. */
  get started(): Started {
    return this.startedWith!;
  }

  /** Starts a thread and a Trainer in it (resuming from `resumeFrom` when given). */
  static async start(request: StartRequest): Promise<TrainerThread> {
    // The parent's flags (--test, --import tsx) are not the thread's business.
    const worker = new Worker(entry, { execArgv: [] });
    const thread = new TrainerThread(worker);
    thread.listen();
    try {
      thread.startedWith = await thread.call('start', request);
      return thread;
    } catch (error) {
      await worker.terminate();
      throw error;
    }
  }

  /** One step through the program, or through variant `variant` (TrainerOptions.variants). */
  step(batch: Batch, variant = 0): Promise<StepResult> {
    return this.call('step', { batch, variant }, transferables(batch));
  }

  evaluate(batch: Batch): Promise<EvalResult> {
    return this.call('evaluate', batch, transferables(batch));
  }

  parameters(): Promise<Record<string, Float32Array | Float64Array>> {
    return this.call('parameters', null);
  }

  async setParameters(values: Record<string, HostArray>): Promise<void> {
    await this.call('setParameters', values);
  }

  /** Writes a checkpoint from the thread; resolves with the step it holds. */
  checkpoint(file: string, extra: { rng?: unknown; cursor?: unknown } = {}): Promise<{ step: number }> {
    return this.call('checkpoint', { file, ...extra });
  }

  profile(scopeDepth?: number): Promise<ProfileSummary> {
    return this.call('profile', { scopeDepth });
  }

  /** Releases the trainer and ends the thread. */
  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      await this.call('stop', null);
    } finally {
      await this.worker.terminate();
    }
  }

  private call<K extends TrainerCall>(
    type: K,
    input: TrainerCalls[K]['input'],
    transfer: ArrayBuffer[] = [],
  ): Promise<TrainerCalls[K]['output']> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, type, input } as ToTrainer, transfer);
    });
  }

  private listen(): void {
    this.worker.on('message', (message: FromTrainer) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.type === 'result') waiting.resolve(message.output);
      else waiting.reject(new JobFailed(message.error));
    });
    const fail = (error: Error) => {
      this.exited = error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the trainer thread ended (exit code ${code})`)));
  }
}
