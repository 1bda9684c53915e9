import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor } from '../graph.ts';
import { gradCheck } from '../testing/gradcheck.ts';
import * as op from './index.ts';
import { evaluate, outputAndGradients } from './testing.ts';

async function check(name: string, build: (xs: Tensor[]) => Tensor, specs: Parameters<typeof gradCheck>[1]) {
  const r = await gradCheck((_g, xs) => build(xs), specs);
  assert.ok(r.checked > 0, `${name}: nothing checked`);
  assert.ok(
    r.maxRelativeError < 1e-6,
    `${name}: relative error ${r.maxRelativeError} at ${JSON.stringify(r.worst)}`,
  );
}

const ids = (shape: number[], values: number[]) => ({
  shape,
  dtype: 'int64' as const,
  constant: true,
  values: Float64Array.from(values),
});

test('embedding lookup: rows for ids of any shape', async () => {
  const r = await evaluate(
    (_g, [table, i]) => ({ rows: op.embedding(table, i) }),
    [
      { shape: [3, 2], values: [0, 1, 10, 11, 20, 21] },
      { shape: [2, 2], values: [2, 0, 1, -1], dtype: 'int64' },
    ],
  );
  assert.deepEqual(r.rows, [20, 21, 0, 1, 10, 11, 20, 21]);
});

test('embedding gradient accumulates repeated ids', async () => {
  const r = await gradCheck(
    (_g, [table, i]) => op.embedding(table, i),
    [{ shape: [5, 3] }, ids([2, 3], [4, 1, 4, 0, 4, 1])],
  );
  assert.ok(r.maxRelativeError < 1e-6, `relative error ${r.maxRelativeError}`);
  const { output } = await evaluate(
    (g, [i]) => ({ output: op.scatterAddRows([4, 2], i, op.fill(g, [3, 2], 1, 'float64')) }),
    [{ shape: [3], values: [3, 0, 3], dtype: 'int64' }],
  );
  assert.deepEqual(output, [1, 1, 0, 0, 0, 0, 2, 2]);
});

test('int32 ids work for lookups and gradients', async () => {
  const { output, grads } = await outputAndGradients(
    (_g, [table, i]) => op.embedding(table, i),
    [
      { shape: [3, 2], values: [0, 1, 10, 11, 20, 21], dtype: 'float64' },
      { shape: [3], values: [2, 2, 0], dtype: 'int32', constant: true },
    ],
    [1, 2, 3, 4, 5, 6],
  );
  assert.deepEqual(output, [20, 21, 20, 21, 0, 1]);
  assert.deepEqual(grads[0], [5, 6, 0, 0, 4, 6]);
});

test('gather on inner axes and its gradient', async () => {
  await check('axis 1', ([x, i]) => op.gather(x, i, 1), [{ shape: [2, 4, 3] }, ids([2, 2], [3, 0, 3, 2])]);
  await check('axis -1', ([x, i]) => op.gather(x, i, -1), [{ shape: [2, 3, 4] }, ids([3], [1, 1, 2])]);
  // second order: the scatter's gradient is a gather
  await check('scatterAddRows', ([u, i]) => op.scatterAddRows([3, 2], i, u), [
    { shape: [4, 2] },
    ids([4], [0, 2, 2, 1]),
  ]);
});

test('oneHot composes Equal; out-of-range ids give zero rows', async () => {
  const r = await evaluate(
    (_g, [i]) => ({ h: op.oneHot(i, 3, 'float64') }),
    [{ shape: [3], values: [2, 0, 5], dtype: 'int64' }],
  );
  assert.deepEqual(r.h, [0, 0, 1, 1, 0, 0, 0, 0, 0]);
});

test('gather rejects float indices and bad axes', async () => {
  await assert.rejects(
    gradCheck((_g, [x, i]) => op.gather(x, i), [{ shape: [2, 2] }, { shape: [2] }]),
    /Gather: indices must be int64 or int32/,
  );
  await assert.rejects(
    gradCheck((_g, [x, i]) => op.gather(x, i, 2), [{ shape: [2, 2] }, ids([1], [0])]),
    /Gather: axis 2 out of range/,
  );
});
