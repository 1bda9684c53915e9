// A UMAP layout thread: it holds views on the shared layout and runs the epochs it is sent over
// its own range of edges, answering when each is done.
import { parentPort, workerData } from 'node:worker_threads';
import { type LayoutCurve, layoutEpoch } from './umap-layout.ts';

export interface LayoutThreadData {
  embedding: SharedArrayBuffer;
  head: SharedArrayBuffer;
  tail: SharedArrayBuffer;
  epochsPerSample: SharedArrayBuffer;
  clocks: SharedArrayBuffer;
  rng: SharedArrayBuffer;
  curve: LayoutCurve;
  epochs: number;
  begin: number;
  end: number;
  slot: number;
}

const data = workerData as LayoutThreadData;
const edges = {
  head: new Int32Array(data.head),
  tail: new Int32Array(data.tail),
  epochsPerSample: new Float64Array(data.epochsPerSample),
};
const m = edges.head.length;
const clocks = {
  nextSample: new Float64Array(data.clocks, 0, m),
  nextNegative: new Float64Array(data.clocks, m * 8, m),
};
const embedding = new Float32Array(data.embedding);
const rng = new Uint32Array(data.rng);

parentPort!.on('message', (epoch: number) => {
  layoutEpoch(embedding, edges, clocks, data.curve, epoch, data.epochs, data.begin, data.end, rng, data.slot);
  parentPort!.postMessage(epoch);
});
