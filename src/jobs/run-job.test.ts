import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobFailed, JobTerminated } from './errors.ts';
import { runJob } from './run-job.ts';
import { countJob, failingJob, politeJob, stubbornJob, vectorJob } from './test-jobs.ts';

test('progress events arrive in order before the result', async () => {
  const seen: number[] = [];
  const output = await runJob(countJob, { to: 5 }, { onProgress: (p) => seen.push(p.done) });
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.deepEqual(output, { counted: 5 });
});

test('typed arrays move to the worker and back without copies', async () => {
  const values = new Float32Array([1, 2, 3.5]);
  const output = await runJob(vectorJob, { values });
  assert.equal(values.byteLength, 0, 'the input buffer was transferred, so it is detached here');
  assert.equal(output.sum, 6.5);
  assert.ok(output.doubled instanceof Float32Array);
  assert.deepEqual([...output.doubled], [2, 4, 7]);
});

test('an exception in the job surfaces with its name, message, fields and worker stack', async () => {
  await assert.rejects(runJob(failingJob, { file: 'ratings.csv' }), (error: unknown) => {
    assert.ok(error instanceof JobFailed);
    assert.equal(error.name, 'FixtureError');
    assert.equal(error.message, 'cannot read ratings.csv');
    assert.equal(error.fields.file, 'ratings.csv');
    assert.match(error.stack ?? '', /test-jobs\.ts/);
    return true;
  });
});

test("cancelling a job that checks its signal ends with the job's own error", async () => {
  const controller = new AbortController();
  const promise = runJob(politeJob, null, {
    signal: controller.signal,
    onProgress: (step) => {
      if (step === 3) controller.abort();
    },
  });
  await assert.rejects(promise, /stopped at step [3-9]/);
});

test('a job that ignores cancel is terminated after the grace period', async () => {
  const controller = new AbortController();
  const promise = runJob(stubbornJob, null, {
    signal: controller.signal,
    graceMs: 200,
    onProgress: () => controller.abort(),
  });
  await assert.rejects(promise, JobTerminated);
});

test('a job cancelled before it starts still settles', async () => {
  await assert.rejects(runJob(politeJob, null, { signal: AbortSignal.abort(), graceMs: 5_000 }), /stopped/);
});
