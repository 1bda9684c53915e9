// A walk thread: holds the shared network and the plan, answers ranges of walk numbers with walks.
import { parentPort, workerData } from 'node:worker_threads';
import type { HeterogeneousNetwork } from './heterogeneous-network.ts';
import { generateWalks, type WalkPlan } from './walks.ts';

export interface WalkWorkerData {
  network: HeterogeneousNetwork;
  plan: WalkPlan;
}
export interface WalkRequest {
  id: number;
  from: number;
  to: number;
}

const port = parentPort;
if (!port) throw new Error('walk-worker.ts runs only inside a worker thread started by WalkPool');
const { network, plan } = workerData as WalkWorkerData;
port.on('message', ({ id, from, to }: WalkRequest) => {
  const batch = generateWalks(network, plan, from, to);
  port.postMessage({ id, batch }, [batch.tokens.buffer as ArrayBuffer, batch.offsets.buffer as ArrayBuffer]);
});
