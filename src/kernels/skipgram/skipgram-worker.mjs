// A skip-gram training thread: instantiates the kernel on the shared memory the host laid out
// and runs trainWalks on the slices it is sent. Plain JavaScript, so the thread starts without
// a TypeScript loader.
//
// A slice is trained in calls of WALKS_PER_CALL walks, not in one call: V8 first runs WebAssembly
// in its baseline compiler (Liftoff) and swaps in the optimised code (TurboFan) only at the next
// call, never inside a running one. One call over a whole slice ran entirely in baseline code,
// at about half the speed (measured: 555k vs 978k pairs/s on the 300k-relation bench network).
import { parentPort, workerData } from 'node:worker_threads';

const WALKS_PER_CALL = 64;
// positions in trainWalks' argument list (see skipgram.as)
const WALK_BEGIN = 5;
const WALK_END = 6;
const CANCEL = 21;

const { module, memory } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports;

function trainSlice(args) {
  const end = args[WALK_END];
  const call = args.slice();
  let pairs = 0;
  for (let begin = args[WALK_BEGIN]; begin < end; begin += WALKS_PER_CALL) {
    call[WALK_BEGIN] = begin;
    call[WALK_END] = Math.min(end, begin + WALKS_PER_CALL);
    pairs += kernel.trainWalks(...call);
    // the buffer is read afresh: a shared memory that grew has a new, longer one
    if (Atomics.load(new Int32Array(memory.buffer, args[CANCEL], 1), 0) !== 0) break;
  }
  return pairs;
}

parentPort.on('message', (args) => {
  try {
    parentPort.postMessage({ pairs: trainSlice(args) });
  } catch (error) {
    parentPort.postMessage({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
