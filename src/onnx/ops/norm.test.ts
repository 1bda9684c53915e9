import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad } from '../autodiff.ts';
import type { Graph, Tensor } from '../graph.ts';
import { gradCheck } from '../testing/gradcheck.ts';
import { mulberry32 } from '../testing/random.ts';
import * as op from './index.ts';
import { evaluate, maxRelativeError, outputAndGradients } from './testing.ts';

async function check(name: string, build: (xs: Tensor[]) => Tensor, specs: Parameters<typeof gradCheck>[1]) {
  const r = await gradCheck((_g, xs) => build(xs), specs);
  assert.ok(r.checked > 0, `${name}: nothing checked`);
  assert.ok(
    r.maxRelativeError < 1e-6,
    `${name}: relative error ${r.maxRelativeError} at ${JSON.stringify(r.worst)}`,
  );
}

const rand = mulberry32(11);
const uniform = (n: number, lo = -1, hi = 1) => Array.from({ length: n }, () => lo + (hi - lo) * rand());

function layerNormReference(x: number[], d: number, gamma: number[], beta: number[], eps: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / d; r++) {
    const row = x.slice(r * d, (r + 1) * d);
    const mean = row.reduce((a, b) => a + b, 0) / d;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / d;
    out.push(...row.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * gamma[i] + beta[i]));
  }
  return out;
}

test('layerNorm gradients in float64 (composed forward), including second order', async () => {
  const specs = [{ shape: [2, 3, 5] }, { shape: [5] }, { shape: [5] }];
  await check('layerNorm', ([x, gm, bt]) => op.layerNorm(x, gm, bt), specs);
  await check(
    'layerNorm second order',
    ([x, gm, bt]) => {
      const y = op.layerNorm(x, gm, bt);
      const w = x.graph.constant(Float64Array.from(uniform(y.size)), y.shape, 'float64');
      return grad(op.sumAll(op.mul(y, w)), [x])[0];
    },
    [{ shape: [2, 4] }, { shape: [4] }, { shape: [4] }],
  );
});

test('layerNorm float32 runs the LayerNormalization kernel and agrees with float64', async () => {
  const d = 6;
  const x = uniform(4 * d, -2, 3);
  const gamma = uniform(d, 0.5, 1.5);
  const beta = uniform(d);
  const w = uniform(4 * d);
  const graphs: Graph[] = [];
  const run = (dtype: 'float32' | 'float64') =>
    outputAndGradients(
      (g, [t, gm, bt]) => {
        graphs.push(g);
        return op.layerNorm(t, gm, bt);
      },
      [
        { shape: [4, d], values: x, dtype },
        { shape: [d], values: gamma, dtype },
        { shape: [d], values: beta, dtype },
      ],
      w,
    );
  const f32 = await run('float32');
  const f64 = await run('float64');
  assert.equal(graphs[0].nodeCounts().LayerNormalization, 1);
  assert.equal(graphs[1].nodeCounts().LayerNormalization, undefined);
  const expected = layerNormReference(x, d, gamma, beta, 1e-5);
  assert.ok(maxRelativeError(f64.output, expected) < 1e-12, 'float64 forward');
  assert.ok(maxRelativeError(f32.output, expected, 1) < 1e-5, 'float32 forward');
  f32.grads.forEach((g, i) => {
    assert.ok(
      maxRelativeError(g, f64.grads[i], 1) < 1e-5,
      `float32 gradient ${i}: ${maxRelativeError(g, f64.grads[i], 1)}`,
    );
  });
});

test('batchNorm training: gradients, batch statistics and running-statistics update', async () => {
  const stats = (values: number[]) => ({
    shape: [3],
    constant: true,
    values: Float64Array.from(values),
  });
  for (const shape of [
    [4, 3, 2, 2],
    [5, 3],
  ]) {
    await check(
      `batchNorm ${shape}`,
      ([x, gm, bt, m, v]) => op.batchNorm(x, gm, bt, { mean: m, variance: v }, { training: true }).y,
      [{ shape }, { shape: [3] }, { shape: [3] }, stats([0, 0, 0]), stats([1, 1, 1])],
    );
  }
  // x[n, c] = n + 10 c over n = 0..3: batch mean n-mean + 10c, biased variance 1.25, unbiased 5/3
  const x = Array.from({ length: 12 }, (_, k) => Math.floor(k / 3) + 10 * (k % 3));
  const r = await evaluate(
    (_g, [t, gm, bt, m, v]) => {
      const { y, running } = op.batchNorm(
        t,
        gm,
        bt,
        { mean: m, variance: v },
        { training: true, momentum: 0.5 },
      );
      return { y, mean: running.mean, variance: running.variance };
    },
    [
      { shape: [4, 3], values: x, dtype: 'float64' },
      { shape: [3], values: [1, 2, 1], dtype: 'float64' },
      { shape: [3], values: [0, 0, 1], dtype: 'float64' },
      { shape: [3], values: [2, 2, 2], dtype: 'float64' },
      { shape: [3], values: [1, 1, 1], dtype: 'float64' },
    ],
  );
  assert.ok(
    maxRelativeError(r.mean, [(2 + 1.5) / 2, (2 + 11.5) / 2, (2 + 21.5) / 2]) < 1e-12,
    'running mean',
  );
  assert.ok(
    maxRelativeError(
      r.variance,
      [1, 1, 1].map((v) => (v + 5 / 3) / 2),
    ) < 1e-12,
    'running variance',
  );
  const expectedY = x.map((v, k) => {
    const c = k % 3;
    return ((v - (1.5 + 10 * c)) / Math.sqrt(1.25 + 1e-5)) * [1, 2, 1][c] + [0, 0, 1][c];
  });
  assert.ok(maxRelativeError(r.y, expectedY) < 1e-12, 'normalised batch');
});

test('batchNorm eval uses the running statistics and leaves them unchanged', async () => {
  const r = await evaluate(
    (_g, [t, gm, bt, m, v]) => {
      const { y, running } = op.batchNorm(t, gm, bt, { mean: m, variance: v }, { training: false });
      assert.equal(running.mean, m);
      return { y };
    },
    [
      { shape: [1, 2, 1, 2], values: [1, 2, 3, 4], dtype: 'float64' },
      { shape: [2], values: [2, 1], dtype: 'float64' },
      { shape: [2], values: [0, 1], dtype: 'float64' },
      { shape: [2], values: [1, 3], dtype: 'float64' },
      { shape: [2], values: [4, 1], dtype: 'float64' },
    ],
  );
  const s = (v: number) => Math.sqrt(v + 1e-5);
  assert.ok(maxRelativeError(r.y, [0, (2 * 1) / s(4), 0 + 1, 1 / s(1) + 1]) < 1e-12, 'eval output');
  await assert.rejects(
    gradCheck(
      (_g, [x, gm]) => op.batchNorm(x, gm, gm, { mean: gm, variance: gm }, { training: true }).y,
      [{ shape: [2, 3] }, { shape: [2] }],
    ),
    /BatchNorm: per-channel tensors must have shape \[3\]/,
  );
});
