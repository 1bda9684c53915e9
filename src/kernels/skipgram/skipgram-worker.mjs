// A skip-gram training thread: instantiates the kernel on the shared memory the host laid out
// and runs trainWalks on the slices it is sent. Plain JavaScript, so the thread starts without
// a TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports;

parentPort.on('message', (args) => {
  try {
    parentPort.postMessage({ pairs: kernel.trainWalks(...args) });
  } catch (error) {
    parentPort.postMessage({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
