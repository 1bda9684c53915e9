import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad } from '../autodiff.ts';
import type { Tensor } from '../graph.ts';
import { gradCheck } from '../testing/gradcheck.ts';
import { mulberry32 } from '../testing/random.ts';
import * as op from './index.ts';
import { evaluate, maxRelativeError, outputAndGradients } from './testing.ts';

async function check(
  name: string,
  build: (xs: Tensor[]) => Tensor,
  specs: Parameters<typeof gradCheck>[1],
  tolerance = 1e-6,
) {
  const r = await gradCheck((_g, xs) => build(xs), specs);
  assert.ok(r.checked > 0, `${name}: nothing checked`);
  assert.ok(
    r.maxRelativeError < tolerance,
    `${name}: relative error ${r.maxRelativeError} at ${JSON.stringify(r.worst)}`,
  );
}

/** The gradient of a fixed weighting of f's output, as a function: checks a rule's own derivative. */
function gradientOf(f: (x: Tensor) => Tensor) {
  return ([x]: Tensor[]) => {
    const y = f(x);
    const w = x.graph.constant(
      Float64Array.from({ length: y.size }, (_, i) => Math.cos(i + 1)),
      y.shape,
      'float64',
    );
    return grad(op.sumAll(op.mul(y, w)), [x])[0];
  };
}

test('softmax and logSoftmax forward match a direct computation', async () => {
  const x = [1, 2, 3, -1, 0, 4];
  const r = await evaluate(
    (_g, [t]) => ({ sm: op.softmax(t, 1), lsm: op.logSoftmax(t, 1), sm0: op.softmax(t, 0) }),
    [{ shape: [2, 3], values: x, dtype: 'float64' }],
  );
  const expected: number[] = [];
  for (const row of [x.slice(0, 3), x.slice(3)]) {
    const z = row.reduce((s, v) => s + Math.exp(v), 0);
    expected.push(...row.map((v) => Math.exp(v) / z));
  }
  assert.ok(maxRelativeError(r.sm, expected) < 1e-12, 'softmax');
  assert.ok(maxRelativeError(r.lsm, expected.map(Math.log)) < 1e-12, 'logSoftmax');
  const col0 = Math.exp(1) / (Math.exp(1) + Math.exp(-1));
  assert.ok(Math.abs(r.sm0[0] - col0) < 1e-12, 'softmax on axis 0');
});

test('softmax and logSoftmax gradients, including second order', async () => {
  await check('softmax last', ([a]) => op.softmax(a), [{ shape: [3, 4] }]);
  await check('softmax axis 0', ([a]) => op.softmax(a, 0), [{ shape: [3, 4] }]);
  await check('logSoftmax', ([a]) => op.logSoftmax(a, 1), [{ shape: [2, 3, 4] }]);
  await check(
    'softmax second order',
    gradientOf((a) => op.softmax(a)),
    [{ shape: [2, 3] }],
  );
  await check(
    'logSoftmax second order',
    gradientOf((a) => op.logSoftmax(a)),
    [{ shape: [2, 3] }],
  );
});

// erf by its Maclaurin series: exact to ~1e-13 on [-3, 3], which is all the test feeds.
function erfReference(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

test('exact GELU (float32 only: Erf) matches x Phi(x) and its derivative', async () => {
  const rand = mulberry32(7);
  const x = Array.from({ length: 64 }, () => rand() * 6 - 3);
  const w = Array.from({ length: 64 }, () => rand() * 2 - 1);
  const { output, grads } = await outputAndGradients(
    (_g, [t]) => op.gelu(t),
    [{ shape: [8, 8], values: x }],
    w,
  );
  const xs = x.map(Math.fround);
  const cdf = xs.map((v) => 0.5 * (1 + erfReference(v / Math.SQRT2)));
  // absolute error below 1, relative above: what float32 can hold
  assert.ok(
    maxRelativeError(
      output,
      xs.map((v, i) => v * cdf[i]),
      1,
    ) < 1e-6,
    'forward',
  );
  const dy = xs.map((v, i) => w[i] * (cdf[i] + (v * Math.exp((-v * v) / 2)) / Math.sqrt(2 * Math.PI)));
  assert.ok(maxRelativeError(grads[0], dy, 1) < 1e-6, `gradient error ${maxRelativeError(grads[0], dy, 1)}`);
  await assert.rejects(
    gradCheck((_g, [t]) => op.gelu(t), [{ shape: [2] }]),
    /float32 only/,
  );
});

test('tanh GELU: float64 gradient check and float32 fused kernel against the formula', async () => {
  await check('gelu tanh', ([a]) => op.gelu(a, 'tanh'), [
    { shape: [3, 5], values: Float64Array.from({ length: 15 }, (_, i) => i / 2 - 3.5) },
  ]);
  await check(
    'gelu tanh second order',
    gradientOf((a) => op.gelu(a, 'tanh')),
    [{ shape: [6] }],
  );
  const x = Array.from({ length: 12 }, (_, i) => i / 2 - 3);
  const r = await evaluate((_g, [t]) => ({ y: op.gelu(t, 'tanh') }), [{ shape: [12], values: x }]);
  const expected = x.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
  assert.ok(maxRelativeError(r.y, expected, 1) < 1e-5, 'fused tanh GELU');
});

test('softplus and logSigmoid are stable and differentiable', async () => {
  const r = await evaluate(
    (_g, [t]) => ({ sp: op.softplus(t), ls: op.logSigmoid(t) }),
    [{ shape: [4], values: [-200, -1, 0.5, 200], dtype: 'float64' }],
  );
  const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
  assert.ok(maxRelativeError(r.sp, [-200, -1, 0.5, 200].map(softplus), 1e-12) < 1e-12, 'softplus');
  assert.ok(
    maxRelativeError(
      r.ls,
      [-200, -1, 0.5, 200].map((v) => -softplus(-v)),
      1e-12,
    ) < 1e-12,
    'logSigmoid',
  );
  await check('softplus', ([a]) => op.softplus(op.mul(a, 4)), [{ shape: [10] }]);
  await check('logSigmoid', ([a]) => op.logSigmoid(op.mul(a, 4)), [{ shape: [10] }]);
  await check(
    'softplus second order',
    gradientOf((a) => op.softplus(a)),
    [{ shape: [5] }],
  );
});

test('l2Normalize: unit rows, gradient check, finite gradient for a zero row', async () => {
  await check('l2Normalize', ([a]) => op.l2Normalize(a), [{ shape: [3, 4] }]);
  await check('l2Normalize axis 0', ([a]) => op.l2Normalize(a, 0), [{ shape: [3, 4] }]);
  const { output, grads } = await outputAndGradients(
    (_g, [t]) => op.l2Normalize(t),
    [{ shape: [2, 2], values: [3, 4, 0, 0], dtype: 'float64' }],
    [1, 1, 1, 1],
  );
  assert.ok(maxRelativeError(output, [0.6, 0.8, 0, 0]) < 1e-15);
  assert.ok(grads[0].every(Number.isFinite), 'zero row gradient');
});

test('linear layer and attention bias', async () => {
  await check('linear', ([x, w, b]) => op.linear(x, w, b), [
    { shape: [2, 3, 4] },
    { shape: [4, 5] },
    { shape: [5] },
  ]);
  const r = await evaluate(
    (g, [keep]) => ({ bias: op.attentionBias(op.greater(keep, g.scalar(0, 'float32'))) }),
    [{ shape: [3], values: [1, 0, 1] }],
  );
  assert.deepEqual(r.bias, [0, -1e9, 0]);
});

// DropoutMaskOp in plain integer arithmetic (the block hash, then the two table rows' XOR):
// masks must be reproducible anywhere.
const [tableA, tableB] = op.dropoutTables();
function referenceMask(n: number, p: number, seed: number, site: number): number[] {
  const mixed = (Math.imul(seed, 0x85ebca77 | 0) + Math.imul(site, 0xc2b2ae3d | 0)) | 0;
  const fold = (h: number, k: number) => (h ^ (Math.trunc(h / 2 ** k) & (2 ** (32 - k) - 1))) | 0;
  const row = 256;
  const picks = Array.from({ length: Math.ceil(n / row) }, (_, i) => {
    let h = (Math.imul(i, 0x9e3779b1 | 0) + mixed) | 0;
    h = fold(h, 16);
    h = Math.imul(h, 0x85ebca6b | 0);
    h = fold(h, 13);
    h = Math.imul(h, 0xc2b2ae35 | 0);
    h = fold(h, 16);
    return [h & 4095, Math.trunc(h / 65536) & 4095];
  });
  return Array.from({ length: n }, (_, i) => {
    const [a, b] = picks[Math.floor(i / row)];
    const u = tableA[a * row + (i % row)] ^ tableB[b * row + (i % row)];
    return u >= Math.round(p * 65536) ? 1 / (1 - p) : 0;
  });
}

test('dropout: seeded, reproducible, distinct per site and step, gradient reuses the mask', async () => {
  const n = 20000;
  const p = 0.25;
  const run = (seed: number) =>
    evaluate(
      (g, [x, s]) => ({
        a: op.dropout(x, { p, seed: s }),
        b: op.dropout(x, { p, seed: s }),
        mask: op.dropoutMask(g, [4], { p: 0.5, seed: s }),
      }),
      [
        { shape: [100, 200], values: new Float32Array(n).fill(1) },
        { shape: [], values: [seed], dtype: 'int64' },
      ],
    );
  const first = await run(42);
  assert.deepEqual(first.a, referenceMask(n, p, 42, 1).map(Math.fround));
  const kept = first.a.filter((v) => v > 0).length / n;
  assert.ok(Math.abs(kept - (1 - p)) < 0.015, `kept ${kept}`);
  assert.ok(
    first.a.every((v) => v === 0 || Math.abs(v - 1 / (1 - p)) < 1e-6),
    'inverted scaling',
  );
  const agree = first.a.filter((v, i) => v > 0 === first.b[i] > 0).length / n;
  // independent masks agree on p^2 + (1-p)^2 of the elements
  assert.ok(Math.abs(agree - (p * p + (1 - p) ** 2)) < 0.02, `two sites agree on ${agree} of the mask`);
  // neighbouring elements are independent: P(both kept) ~ (1-p)^2
  let both = 0;
  for (let i = 1; i < n; i++) if (first.a[i] > 0 && first.a[i - 1] > 0) both++;
  assert.ok(Math.abs(both / (n - 1) - (1 - p) ** 2) < 0.02, `adjacent pairs kept ${both / (n - 1)}`);
  assert.deepEqual((await run(42)).a, first.a);
  const next = await run(43);
  assert.ok(next.a.filter((v, i) => v !== first.a[i]).length > n * 0.2, 'the next step draws another mask');

  await check('dropout', ([x, s]) => op.dropout(x, { p: 0.5, seed: s }), [
    { shape: [4, 6] },
    { shape: [], dtype: 'int64', constant: true, values: Float64Array.of(9) },
  ]);
});

test('dropout with p = 0 is the identity and bad p is rejected', async () => {
  await gradCheck(
    (_g, [x, s]) => {
      assert.equal(op.dropout(x, { p: 0, seed: s }), x);
      assert.throws(() => op.dropout(x, { p: 1, seed: s }), /p must be in \[0, 1\)/);
      return op.mul(x, 1);
    },
    [{ shape: [2] }, { shape: [], dtype: 'int64', constant: true, values: Float64Array.of(1) }],
  );
});

test('softmaxDropout: dropped is softmax where kept, gradients through either output', async () => {
  const seed = { shape: [], dtype: 'int64', constant: true, values: Float64Array.of(5) } as const;
  const r = await evaluate(
    (g, [x, s]) => {
      const { probabilities, dropped } = op.softmaxDropout(x, -1, { p: 0.5, seed: s });
      return {
        probabilities,
        dropped,
        softmax: op.softmax(x, -1),
        keep: op.dropoutKeep(g, [4, 6], { p: 0.5, seed: s }),
      };
    },
    [{ shape: [4, 6], values: Array.from({ length: 24 }, (_, i) => Math.sin(i)) }, seed],
  );
  assert.deepEqual(r.probabilities, r.softmax);
  // the site numbering makes the second draw differ; what matters is dropped = probabilities or 0
  assert.ok(r.dropped.every((v, i) => v === 0 || v === r.probabilities[i]));
  assert.ok(r.dropped.some((v) => v === 0) && r.dropped.some((v) => v > 0));
  await check('dropped only', ([x, s]) => op.softmaxDropout(x, -1, { p: 0.5, seed: s }).dropped, [
    { shape: [3, 5] },
    seed,
  ]);
  await check(
    'both outputs',
    ([x, s]) => {
      const { probabilities, dropped } = op.softmaxDropout(x, 0, { p: 0.3, seed: s });
      return op.add(op.mul(probabilities, 0.5), dropped);
    },
    [{ shape: [3, 5] }, seed],
  );
});
