// Jobs used by run-job.test.ts; they live in a module of their own because a worker imports them.
import { setTimeout as sleep } from 'node:timers/promises';
import { defineJob } from './job.ts';

export const countJob = defineJob(
  import.meta.url,
  'count',
  async (input: { to: number }, { progress }: { progress: (p: { done: number }) => void }) => {
    for (let done = 1; done <= input.to; done++) progress({ done });
    return { counted: input.to };
  },
);

/** Sums the input vector and answers with a new one, to check buffers move both ways. */
export const vectorJob = defineJob(import.meta.url, 'vector', async (input: { values: Float32Array }) => {
  const doubled = new Float32Array(input.values.length);
  for (let i = 0; i < doubled.length; i++) doubled[i] = input.values[i] * 2;
  return { sum: input.values.reduce((a, b) => a + b, 0), doubled };
});

class FixtureError extends Error {
  constructor(readonly file: string) {
    super(`cannot read ${file}`);
    this.name = 'FixtureError';
  }
}

export const failingJob = defineJob(import.meta.url, 'failing', async (input: { file: string }) => {
  throw new FixtureError(input.file);
});

/** Stops at the first check after cancel, as importers do. */
export const politeJob = defineJob(
  import.meta.url,
  'polite',
  async (_input: null, { progress, signal }: { progress: (p: number) => void; signal: AbortSignal }) => {
    for (let step = 0; ; step++) {
      if (signal.aborted) throw new Error(`stopped at step ${step}`);
      progress(step);
      await sleep(5);
    }
  },
);

/** Never yields to its event loop, so it cannot see a cancel message. */
export const stubbornJob = defineJob(
  import.meta.url,
  'stubborn',
  async (_input: null, { progress }: { progress: (p: string) => void }) => {
    progress('started');
    for (;;) {}
  },
);
