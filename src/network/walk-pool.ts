import { Worker } from 'node:worker_threads';
import type { HeterogeneousNetwork } from './heterogeneous-network.ts';
import type { WalkRequest, WalkWorkerData } from './walk-worker.ts';
import { generateWalks, type WalkBatch, type WalkPlan } from './walks.ts';

const workerEntry = new URL('./walk-worker.mjs', import.meta.url);

/** Concatenates batches of consecutive walk ranges into one, in order. */
export function concatBatches(batches: readonly WalkBatch[]): WalkBatch {
  if (batches.length === 1) return batches[0];
  let tokens = 0;
  let walks = 0;
  for (const b of batches) {
    tokens += b.tokens.length;
    walks += b.offsets.length - 1;
  }
  const out: WalkBatch = {
    tokens: new Int32Array(tokens),
    offsets: new Int32Array(walks + 1),
    skipped: 0,
    shortened: 0,
  };
  let at = 0;
  let w = 0;
  for (const b of batches) {
    out.tokens.set(b.tokens, at);
    for (let k = 1; k < b.offsets.length; k++) out.offsets[++w] = at + b.offsets[k];
    at += b.tokens.length;
    out.skipped += b.skipped;
    out.shortened += b.shortened;
  }
  return out;
}

/**
 * Walk threads over one shared network. A range of walks is cut into one piece per thread and
 * the pieces are joined in order, so the result is identical to generating it in one thread.
 */
export class WalkPool {
  private readonly workers: Worker[] = [];
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (b: WalkBatch) => void; reject: (e: Error) => void }
  >();

  constructor(
    private readonly network: HeterogeneousNetwork,
    private readonly plan: WalkPlan,
    readonly threads: number,
  ) {
    if (threads <= 1) return;
    const data: WalkWorkerData = { network, plan };
    for (let k = 0; k < threads; k++) {
      const worker = new Worker(workerEntry, { workerData: data, execArgv: [] });
      worker.on('message', ({ id, batch }: { id: number; batch: WalkBatch }) => {
        this.pending.get(id)?.resolve(batch);
        this.pending.delete(id);
      });
      worker.on('error', (error) => this.failAll(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.failAll(new Error(`a walk thread ended with exit code ${code}`));
      });
      this.workers.push(worker);
    }
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  /** Walks [from, to), generated across the threads. */
  async generate(from: number, to: number): Promise<WalkBatch> {
    if (this.workers.length === 0) return generateWalks(this.network, this.plan, from, to);
    const pieces = this.workers.length;
    const size = Math.ceil((to - from) / pieces);
    const batches = await Promise.all(
      this.workers.map((worker, k) => {
        const start = Math.min(to, from + k * size);
        const end = Math.min(to, start + size);
        const id = this.nextId++;
        return new Promise<WalkBatch>((resolve, reject) => {
          this.pending.set(id, { resolve, reject });
          worker.postMessage({ id, from: start, to: end } satisfies WalkRequest);
        });
      }),
    );
    return concatBatches(batches);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
