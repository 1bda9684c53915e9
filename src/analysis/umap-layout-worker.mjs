// A UMAP layout thread: instantiates the kernel (src/kernels/umap/umap-layout.wasm) on the shared
// memory the host laid out (umap-kernel.ts) and runs each epoch it is sent over its own edges,
// answering when done. Plain JavaScript, so the thread starts without a TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, args, epochs, curve } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports;

parentPort.on('message', (epoch) => {
  kernel.layoutEpoch(...args, epoch, epochs, curve.a, curve.b, curve.gamma, curve.negativeRate);
  parentPort.postMessage(epoch);
});
