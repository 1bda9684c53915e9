import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor } from '../graph.ts';
import { gradCheck } from '../testing/gradcheck.ts';
import { mulberry32 } from '../testing/random.ts';
import * as op from './index.ts';
import { evaluate, maxRelativeError } from './testing.ts';

async function check(name: string, build: (xs: Tensor[]) => Tensor, specs: Parameters<typeof gradCheck>[1]) {
  const r = await gradCheck((_g, xs) => build(xs), specs);
  assert.ok(r.checked > 0, `${name}: nothing checked`);
  assert.ok(
    r.maxRelativeError < 1e-6,
    `${name}: relative error ${r.maxRelativeError} at ${JSON.stringify(r.worst)}`,
  );
}

/** Attention of one sequence, head by head, in plain float64 arithmetic. */
function attentionReference(
  q: number[],
  k: number[],
  v: number[],
  t: number,
  dModel: number,
  heads: number,
  keep: boolean[],
) {
  const d = dModel / heads;
  const out = new Array<number>(t * dModel).fill(0);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < t; i++) {
      const scores = Array.from({ length: t }, (_, j) => {
        if (!keep[j]) return -1e9;
        let s = 0;
        for (let c = 0; c < d; c++) s += q[i * dModel + h * d + c] * k[j * dModel + h * d + c];
        return s / Math.sqrt(d);
      });
      const top = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - top));
      const z = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < t; j++) {
        for (let c = 0; c < d; c++) out[i * dModel + h * d + c] += (e[j] / z) * v[j * dModel + h * d + c];
      }
    }
  }
  return out;
}

test('multi-head attention matches a head-by-head computation, masked keys ignored', async () => {
  const rand = mulberry32(3);
  const t = 4;
  const dModel = 6;
  const [q, k, v] = [0, 1, 2].map(() => Array.from({ length: t * dModel }, () => rand() * 2 - 1));
  const keep = [true, true, false, true];
  const r = await evaluate(
    (g, [a, b, c, m]) => ({
      y: op.multiHeadAttention(a, b, c, { heads: 3, mask: op.greater(m, g.scalar(0, 'float64')) }),
    }),
    [
      { shape: [1, t, dModel], values: q, dtype: 'float64' },
      { shape: [1, t, dModel], values: k, dtype: 'float64' },
      { shape: [1, t, dModel], values: v, dtype: 'float64' },
      { shape: [1, 1, 1, t], values: keep.map(Number), dtype: 'float64' },
    ],
  );
  const expected = attentionReference(q, k, v, t, dModel, 3, keep);
  // onnxruntime folds the 1/sqrt(d) scale into FusedMatMul's alpha, a float32 attribute
  assert.ok(maxRelativeError(r.y, expected) < 1e-7, `attention output ${r.y} vs ${expected}`);
});

test('attention gradients with an additive mask and with dropout on the probabilities', async () => {
  const bias = { shape: [2, 1, 1, 3], constant: true, values: Float64Array.of(0, 0, -1e9, 0, -1e9, 0) };
  await check('masked', ([q, k, v, m]) => op.multiHeadAttention(q, k, v, { heads: 2, mask: m }), [
    { shape: [2, 3, 4] },
    { shape: [2, 3, 4] },
    { shape: [2, 3, 4] },
    bias,
  ]);
  await check(
    'cross attention with dropout',
    ([q, k, v, s]) => op.multiHeadAttention(q, k, v, { heads: 1, dropout: { p: 0.3, seed: s } }),
    [
      { shape: [1, 2, 3] },
      { shape: [1, 4, 3] },
      { shape: [1, 4, 3] },
      { shape: [], dtype: 'int64', constant: true, values: Float64Array.of(5) },
    ],
  );
});

test('split and merge heads are inverse; widths must divide', async () => {
  const r = await evaluate(
    (_g, [x]) => {
      const heads = op.splitHeads(x, 2);
      assert.deepEqual(heads.shape, [2, 2, 3, 2]);
      return { heads, back: op.mergeHeads(heads) };
    },
    [{ shape: [2, 3, 4], values: Array.from({ length: 24 }, (_, i) => i) }],
  );
  assert.deepEqual(
    r.back,
    Array.from({ length: 24 }, (_, i) => i),
  );
  // head 1 of the first sequence: columns 2..3 of each position
  assert.deepEqual(r.heads.slice(6, 12), [2, 3, 6, 7, 10, 11]);
  await assert.rejects(
    gradCheck((_g, [x]) => op.splitHeads(x, 3), [{ shape: [2, 4] }]),
    /SplitHeads: width 4 is not divisible into 3 heads/,
  );
});
