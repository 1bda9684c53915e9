import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor } from '../graph.ts';
import { gradCheck } from '../testing/gradcheck.ts';
import * as op from './index.ts';

const TOLERANCE = 1e-6;

async function check(
  name: string,
  build: (xs: Tensor[]) => Tensor,
  specs: Parameters<typeof gradCheck>[1],
  { eps = 1e-6, tolerance = TOLERANCE } = {},
) {
  const r = await gradCheck((_g, xs) => build(xs), specs, { eps });
  assert.ok(r.checked > 0, `${name}: nothing checked`);
  assert.ok(
    r.maxRelativeError < tolerance,
    `${name}: relative error ${r.maxRelativeError} at ${JSON.stringify(r.worst)}`,
  );
}

test('elementwise binary ops with broadcasting', async () => {
  const specs = [{ shape: [3, 4] }, { shape: [4] }];
  await check('add', ([a, b]) => op.add(a, b), specs);
  await check('sub', ([a, b]) => op.sub(a, b), specs);
  await check('mul', ([a, b]) => op.mul(a, b), [{ shape: [2, 1, 4] }, { shape: [3, 1] }]);
  await check('div', ([a, b]) => op.div(a, b), [{ shape: [3, 4] }, { shape: [3, 1], positive: true }]);
  await check('pow', ([a, b]) => op.pow(a, b), [
    { shape: [3, 4], positive: true },
    { shape: [1], positive: true },
  ]);
  await check('maximum', ([a, b]) => op.maximum(a, b), [{ shape: [5, 3] }, { shape: [5, 3] }]);
  await check('scalar operand', ([a]) => op.sub(2, op.mul(a, 3)), [{ shape: [4] }]);
});

test('elementwise unary ops', async () => {
  const x = [{ shape: [2, 5] }];
  const positive = [{ shape: [2, 5], positive: true }];
  await check('neg', ([a]) => op.neg(a), x);
  await check('exp', ([a]) => op.exp(a), x);
  await check('log', ([a]) => op.log(a), positive);
  await check('sqrt', ([a]) => op.sqrt(a), positive);
  await check('reciprocal', ([a]) => op.reciprocal(a), positive);
  await check('abs', ([a]) => op.abs(a), x);
  await check('relu', ([a]) => op.relu(a), x);
  await check('sigmoid', ([a]) => op.sigmoid(a), x);
  await check('tanh', ([a]) => op.tanh(a), x);
  await check('where', ([a, b]) => op.where(op.greater(a, 0), a, op.mul(b, 2)), [
    { shape: [3, 4] },
    { shape: [4] },
  ]);
  // float32 rounding limits what finite differences can resolve through a cast
  await check('cast round trip', ([a]) => op.cast(op.cast(a, 'float32'), 'float64'), x, {
    eps: 1e-2,
    tolerance: 1e-4,
  });
});

test('matmul with batch broadcasting', async () => {
  await check('2d', ([a, b]) => op.matmul(a, b), [{ shape: [3, 4] }, { shape: [4, 5] }]);
  await check('batched', ([a, b]) => op.matmul(a, b), [{ shape: [2, 3, 4] }, { shape: [4, 5] }]);
  await check('broadcast batch', ([a, b]) => op.matmul(a, b), [
    { shape: [2, 1, 3, 4] },
    { shape: [3, 4, 2] },
  ]);
});

test('reductions', async () => {
  await check('sum', ([a]) => op.reduceSum(a, [1]), [{ shape: [3, 4, 2] }]);
  await check('sum keepdims', ([a]) => op.reduceSum(a, [0, 2], true), [{ shape: [3, 4, 2] }]);
  await check('mean', ([a]) => op.reduceMean(a, [-1]), [{ shape: [3, 4] }]);
  await check('max', ([a]) => op.reduceMax(a, [1], true), [{ shape: [3, 4] }]);
});

test('shape ops', async () => {
  await check('reshape', ([a]) => op.mul(op.reshape(a, [6, -1]), 1), [{ shape: [2, 3, 4] }]);
  await check('transpose', ([a]) => op.transpose(a, [2, 0, 1]), [{ shape: [2, 3, 4] }]);
  await check('slice', ([a]) => op.slice(a, 1, 1, 3), [{ shape: [2, 4] }]);
  await check('concat', ([a, b]) => op.concat([a, b, a], 0), [{ shape: [2, 3] }, { shape: [1, 3] }]);
  await check('split', ([a]) => op.mul(op.split(a, 1, [1, 3])[1], 2), [{ shape: [2, 4] }]);
  await check('expand', ([a]) => op.expand(a, [3, 2, 4]), [{ shape: [2, 1] }]);
  await check('pad', ([a]) => op.pad(a, [1, 0], [0, 2]), [{ shape: [2, 3] }]);
  await check('unsqueeze/squeeze', ([a]) => op.squeeze(op.unsqueeze(a, 1), 1), [{ shape: [2, 3] }]);
});

test('shape errors name the op and the shapes', async () => {
  await assert.rejects(
    gradCheck((_g, [a, b]) => op.matmul(a, b), [{ shape: [3, 4] }, { shape: [5, 6] }]),
    /MatMul: inner dimensions differ \(inputs: float64\[3, 4\], float64\[5, 6\]\)/,
  );
  await assert.rejects(
    gradCheck((_g, [a, b]) => op.add(a, b), [{ shape: [3, 4] }, { shape: [3] }]),
    /Add: shapes do not broadcast/,
  );
});
