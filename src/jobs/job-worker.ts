// The worker side of runJob: imports the job's module, runs it, and talks to the parent in
// three kinds of messages (progress, result, error). A 'cancel' message aborts the job's signal.
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from './errors.ts';
import { isJob } from './job.ts';
import type { ToParent, ToWorker, WorkerStart } from './protocol.ts';
import { transferables } from './transfer.ts';

const port = parentPort;
if (!port) throw new Error('job-worker.ts runs only inside a worker thread started by runJob');

const start = workerData as WorkerStart;
const controller = new AbortController();
port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') controller.abort();
});

function send(message: ToParent): void {
  port!.postMessage(message, transferables(message));
}

try {
  const exports: Record<string, unknown> = await import(start.module);
  const job = Object.values(exports).find((value) => isJob(value) && value.name === start.name);
  if (!isJob(job)) throw new Error(`${start.module} exports no job named ${start.name}`);
  const output = await job.run(start.input, {
    progress: (event) => send({ type: 'progress', event }),
    signal: controller.signal,
  });
  send({ type: 'result', output });
} catch (error) {
  send({ type: 'error', error: serializeError(error) });
} finally {
  // Let the thread end once the job is done; the parent listener would otherwise keep it alive.
  port.close();
}
