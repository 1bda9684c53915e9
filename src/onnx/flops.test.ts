import assert from 'node:assert/strict';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { countFlops } from './flops.ts';
import { Graph } from './graph.ts';
import * as op from './ops/index.ts';

test('a linear layer: 2 K per product element, 1 per bias add', () => {
  const g = new Graph('linear');
  const x = g.input('x', [4, 3]);
  const w = g.parameter('w', [3, 5], { values: new Float32Array(15) });
  const b = g.parameter('b', [5], { values: new Float32Array(5) });
  g.output('y', op.linear(x, w, b));
  const count = countFlops(g.toModel({ valueInfo: true }));
  // 4 x 5 outputs of 3 multiply-adds, then 20 additions
  assert.deepEqual(count.byOpType, { MatMul: 120, Add: 20 });
  assert.equal(count.total, 140);
});

test('attention: both batched products, the scaling of q and the softmax', () => {
  const g = new Graph('attention');
  const [heads, length, width] = [2, 4, 8];
  const q = g.input('q', [1, heads, length, width]);
  const k = g.input('k', [1, heads, length, width]);
  const v = g.input('v', [1, heads, length, width]);
  g.output('y', op.scaledDotProductAttention(q, k, v).output);
  const count = countFlops(g.toModel({ valueInfo: true }));
  // q k^T: 2 heads x 4 x 4 scores of 8 terms; weights v: 2 x 4 x 8 outputs of 4 terms
  assert.equal(count.byOpType.MatMul, 2 * (2 * 4 * 4 * 8) + 2 * (2 * 4 * 8 * 4));
  assert.equal(count.byOpType.Mul, heads * length * width);
  assert.equal(count.byOpType.Softmax, heads * length * length);
  assert.equal(count.total, 1024 + 64 + 32);
});

test('convolution with bias, max pooling, and data movement at no cost', () => {
  const g = new Graph('conv');
  const x = g.input('x', [1, 2, 5, 5]);
  const w = g.parameter('w', [3, 2, 3, 3], { values: new Float32Array(54) });
  const b = g.parameter('b', [3], { values: new Float32Array(3) });
  const y = op.conv(x, w, { bias: b });
  const pooled = op.maxPool(op.transpose(y, [0, 1, 3, 2]), { kernel: [3, 1] });
  g.output('y', op.reshape(pooled, [3, 3]));
  const count = countFlops(g.toModel({ valueInfo: true }));
  // 3 x 3 x 3 outputs of 2 x 3 x 3 multiply-adds and a bias; 9 pooled outputs of 3 compares
  assert.deepEqual(count.byOpType, { Conv: 27 * 36 + 27, MaxPool: 9 * 3 });
});

test('value_info declares the intermediates onnxruntime computes, and a model without it is refused by name', async () => {
  const g = new Graph('plain');
  const x = g.input('x', [2, 3]);
  g.output('y', op.exp(op.mul(x, 2)));
  const withInfo = g.toModel({ valueInfo: true });
  const session = await ort.InferenceSession.create(withInfo);
  const out = await session.run({
    x: new ort.Tensor('float32', Float32Array.from([0, 0, 0, 0, 0, 0]), [2, 3]),
  });
  assert.deepEqual(Array.from(out.y.data as Float32Array), [1, 1, 1, 1, 1, 1]);
  await session.release();
  assert.equal(countFlops(withInfo).total, 12);
  assert.throws(() => countFlops(g.toModel()), /no shape for Mul.*valueInfo: true/);
});
