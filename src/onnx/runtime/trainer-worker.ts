// The thread side of a TrainerThread: owns one Trainer and answers its calls in order
// (onnxruntime's run blocks this thread, never the caller's).
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../../jobs/errors.ts';
import { transferables } from '../../jobs/transfer.ts';
import { resume, saveCheckpoint } from './checkpoint.ts';
import { Trainer } from './trainer.ts';
import type { FromTrainer, Started, StartRequest, ToTrainer, TrainerCalls } from './trainer-protocol.ts';

const port = parentPort;
if (!port) throw new Error('trainer-worker.ts runs only inside a worker thread started by TrainerThread');

let trainer: Trainer | null = null;

function running(): Trainer {
  if (!trainer) throw new Error('the trainer thread has not been started');
  return trainer;
}

async function start(request: StartRequest): Promise<Started> {
  if (trainer) throw new Error('the trainer thread is already started');
  const options = {
    device: request.device,
    threads: request.threads,
    profile: request.profile,
    variants: request.variants,
  };
  let rng: unknown = null;
  let cursor: unknown = null;
  if (request.resumeFrom) {
    const resumed = await resume(request.resumeFrom, request.program, options);
    trainer = resumed.trainer;
    ({ rng, cursor } = resumed.checkpoint);
  } else {
    trainer = await Trainer.create(request.program, options);
  }
  if (request.evaluation) await trainer.attachEval(request.evaluation);
  const { provider, threads, reason } = trainer.device;
  return { provider, threads, reason, step: trainer.stepCount, rng, cursor };
}

const handlers: {
  [K in keyof TrainerCalls]: (input: TrainerCalls[K]['input']) => Promise<TrainerCalls[K]['output']>;
} = {
  start,
  step: ({ batch, variant }) => running().step(batch, variant),
  evaluate: (batch) => running().evaluate(batch),
  parameters: () => running().parameters(),
  setParameters: async (values) => {
    await running().setParameters(values);
    return null;
  },
  checkpoint: async ({ file, rng, cursor }) => {
    await saveCheckpoint(file, running(), { rng, cursor });
    return { step: running().stepCount };
  },
  profile: ({ scopeDepth }) => running().profile(scopeDepth),
  stop: async () => {
    await trainer?.release();
    trainer = null;
    return null;
  },
};

// Calls are answered one at a time in arrival order, so a checkpoint requested after a step
// sees that step's parameters.
let queue = Promise.resolve();
port.on('message', (message: ToTrainer) => {
  queue = queue.then(async () => {
    let reply: FromTrainer;
    try {
      const handler = handlers[message.type] as (input: unknown) => Promise<unknown>;
      reply = { id: message.id, type: 'result', output: await handler(message.input) };
    } catch (error) {
      reply = { id: message.id, type: 'error', error: serializeError(error) };
    }
    port.postMessage(reply, reply.type === 'result' ? transferables(reply.output) : []);
    if (message.type === 'stop') port.close();
  });
});
