import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad } from '../autodiff.ts';
import type { Tensor } from '../graph.ts';
import { gradCheck } from '../testing/gradcheck.ts';
import { mulberry32 } from '../testing/random.ts';
import * as op from './index.ts';
import { evaluate, float32GradCheck, maxRelativeError, outputAndGradients } from './testing.ts';

const rand = mulberry32(5);
const uniform = (n: number) => Array.from({ length: n }, () => rand() * 2 - 1);
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function multiIndices(shape: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const d of shape) out = out.flatMap((prefix) => Array.from({ length: d }, (_, i) => [...prefix, i]));
  return out;
}

function flat(shape: readonly number[], index: readonly number[]): number {
  return index.reduce((acc, v, i) => acc * shape[i] + v, 0);
}

interface Geometry {
  strides: number[];
  pads: number[];
  dilations?: number[];
}

/**
 * Direct convolution in float64: the output, and the input and weight gradients of
 * sum(output * gy), enumerated tap by tap.
 */
function convReference(
  x: number[],
  xShape: number[],
  w: number[],
  wShape: number[],
  gy: number[],
  { strides, pads, dilations = strides.map(() => 1) }: Geometry,
) {
  const [n, c, ...spatial] = xShape;
  const [o, , ...kernel] = wShape;
  const outSpatial = spatial.map(
    (d, i) => Math.floor((d + 2 * pads[i] - dilations[i] * (kernel[i] - 1) - 1) / strides[i]) + 1,
  );
  const yShape = [n, o, ...outSpatial];
  const y = new Array<number>(size(yShape)).fill(0);
  const dx = new Array<number>(x.length).fill(0);
  const dw = new Array<number>(w.length).fill(0);
  for (const [b, oc, ...p] of multiIndices(yShape)) {
    const yi = flat(yShape, [b, oc, ...p]);
    for (const [ic, ...k] of multiIndices([c, ...kernel])) {
      const q = p.map((v, i) => v * strides[i] + k[i] * dilations[i] - pads[i]);
      if (q.some((v, i) => v < 0 || v >= spatial[i])) continue;
      const xi = flat(xShape, [b, ic, ...q]);
      const wi = flat(wShape, [oc, ic, ...k]);
      y[yi] += x[xi] * w[wi];
      dx[xi] += gy.length ? gy[yi] * w[wi] : 0;
      dw[wi] += gy.length ? gy[yi] * x[xi] : 0;
    }
  }
  return { y, yShape, dx, dw };
}

async function checkConv(xShape: number[], wShape: number[], geo: Geometry) {
  const x = uniform(size(xShape));
  const w = uniform(size(wShape));
  const reference = convReference(x, xShape, w, wShape, [], geo);
  const gy = uniform(reference.y.length);
  const { dx, dw } = convReference(x, xShape, w, wShape, gy, geo);
  const build = (_g: unknown, [t, k]: Tensor[]) => op.conv(t, k, geo);
  const feeds = [
    { shape: xShape, values: x },
    { shape: wShape, values: w },
  ];
  const { output, grads } = await outputAndGradients(build, feeds, gy);
  const label = `conv ${xShape} * ${wShape}`;
  assert.ok(maxRelativeError(output, reference.y, 1) < 1e-5, `${label}: forward`);
  assert.ok(maxRelativeError(grads[0], dx, 1) < 1e-5, `${label}: input gradient`);
  assert.ok(maxRelativeError(grads[1], dw, 1) < 1e-5, `${label}: weight gradient`);
  const fd = await float32GradCheck(build, feeds, { weights: gy });
  assert.ok(fd.maxRelativeError < 1e-4, `${label}: finite differences ${fd.maxRelativeError}`);
}

test('conv 2-D and 3-D against a direct float64 convolution, with both gradients', async () => {
  await checkConv([2, 3, 5, 6], [4, 3, 3, 2], { strides: [2, 1], pads: [1, 0] });
  // patch embedding: stride equal to the kernel
  await checkConv([2, 3, 8, 8], [5, 3, 4, 4], { strides: [4, 4], pads: [0, 0] });
  // tubelet embedding over [T, H, W], with a stride that leaves a remainder
  await checkConv([1, 2, 5, 4, 4], [3, 2, 2, 2, 2], { strides: [2, 2, 2], pads: [0, 1, 0] });
  await checkConv([1, 2, 7, 6], [2, 2, 3, 2], { strides: [1, 2], pads: [1, 1], dilations: [2, 1] });
});

test('conv bias, and second order through ConvTranspose', async () => {
  const feeds = [
    { shape: [2, 2, 4, 4], values: uniform(64) },
    { shape: [3, 2, 3, 3], values: uniform(54) },
    { shape: [3], values: uniform(3) },
  ];
  const withBias = await float32GradCheck(
    (_g, [x, w, b]) => op.conv(x, w, { strides: [2, 2], pads: [1, 1], bias: b }),
    feeds,
  );
  assert.ok(withBias.maxRelativeError < 1e-4, `bias: ${withBias.maxRelativeError}`);
  // d/dw of the input gradient: differentiates ConvTranspose's own rule
  const second = await float32GradCheck(
    (g, [x, w]) => {
      const y = op.conv(x, w, { strides: [2, 2], pads: [1, 1] });
      const weights = g.constant(Float32Array.from(uniform(y.size)), y.shape, 'float32');
      return grad(op.sumAll(op.mul(y, weights)), [x])[0];
    },
    feeds.slice(0, 2),
  );
  assert.ok(second.checked > 0 && second.maxRelativeError < 1e-4, `second order: ${second.maxRelativeError}`);
});

test('patches: a linear layer on them equals conv with stride = kernel; float64 gradient', async () => {
  const x = uniform(2 * 3 * 4 * 6);
  const w = uniform(5 * 3 * 2 * 3);
  const r = await evaluate(
    (_g, [t, k]) => ({
      conv: op.transpose(op.reshape(op.conv(t, k, { strides: [2, 3] }), [2, 5, 4]), [0, 2, 1]),
      linear: op.matmul(op.patches(t, [2, 3]), op.transposeLast(op.reshape(k, [5, 18]))),
    }),
    [
      { shape: [2, 3, 4, 6], values: x },
      { shape: [5, 3, 2, 3], values: w },
    ],
  );
  assert.ok(maxRelativeError(r.linear, r.conv, 1) < 1e-6, 'patch embedding');
  const gc = await gradCheck((_g, [t]) => op.patches(t, [2, 1, 2]), [{ shape: [1, 2, 4, 3, 2] }]);
  assert.ok(gc.maxRelativeError < 1e-6, `tubelets: ${gc.maxRelativeError}`);
});

test('conv rejects mismatched shapes', async () => {
  await assert.rejects(
    evaluate(
      (_g, [x, w]) => ({ y: op.conv(x, w) }),
      [
        { shape: [1, 3, 4, 4], values: new Float32Array(48) },
        { shape: [2, 2, 3, 3], values: new Float32Array(36) },
      ],
    ),
    /Conv: expects x \[N, C, \.\.\.\] and w \[O, C, \.\.\.kernel\]/,
  );
});

/** Max pooling in float64, each output's gradient going to the first maximum of its window. */
function maxPoolReference(
  x: number[],
  xShape: number[],
  kernel: number[],
  strides: number[],
  pads: number[],
  gy: number[],
) {
  const [n, c, ...spatial] = xShape;
  const pooled = spatial.map((d, i) => Math.floor((d + 2 * pads[i] - kernel[i]) / strides[i]) + 1);
  const yShape = [n, c, ...pooled];
  const y: number[] = [];
  const dx = new Array<number>(x.length).fill(0);
  for (const [b, ch, ...p] of multiIndices(yShape)) {
    let best = -1;
    for (const k of multiIndices(kernel)) {
      const q = p.map((v, i) => v * strides[i] + k[i] - pads[i]);
      if (q.some((v, i) => v < 0 || v >= spatial[i])) continue;
      const xi = flat(xShape, [b, ch, ...q]);
      if (best < 0 || x[xi] > x[best]) best = xi;
    }
    dx[best] += gy[y.length];
    y.push(x[best]);
  }
  return { y, dx };
}

async function checkMaxPool(
  shape: number[],
  kernel: number[],
  strides: number[],
  pads: number[],
  x: number[],
) {
  const build = (_g: unknown, [t]: Tensor[]) => op.maxPool(t, { kernel, strides, pads });
  const ySize = maxPoolReference(x, shape, kernel, strides, pads, []).y.length;
  const gy = uniform(ySize);
  const reference = maxPoolReference(x, shape, kernel, strides, pads, gy);
  const { output, grads } = await outputAndGradients(build, [{ shape, values: x }], gy);
  assert.deepEqual(output, reference.y.map(Math.fround), `maxPool ${shape}: forward`);
  assert.ok(maxRelativeError(grads[0], reference.dx, 1) < 1e-6, `maxPool ${shape}: gradient`);
  return { build, gy };
}

test('maxPool 2-D and 3-D: forward and first-maximum gradient against a direct computation', async () => {
  // distinct values 0.05 apart, so finite differences of 0.01 never change a window's maximum
  const distinct = (count: number) => {
    const values = Array.from({ length: count }, (_, i) => i * 0.05 - 1);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [values[i], values[j]] = [values[j], values[i]];
    }
    return values;
  };
  const flat2d = await checkMaxPool([2, 2, 4, 5], [2, 2], [2, 2], [0, 0], distinct(80));
  const fd = await float32GradCheck(flat2d.build, [{ shape: [2, 2, 4, 5], values: distinct(80) }], {
    eps: 0.01,
  });
  assert.ok(fd.maxRelativeError < 1e-3, `finite differences ${fd.maxRelativeError}`);
  // overlapping, padded windows (MViT's pooling attention: kernel 3, stride 2, pad 1)
  await checkMaxPool([1, 2, 3, 5, 5], [3, 3, 3], [1, 2, 2], [1, 1, 1], distinct(150));
  // ties and all-negative windows next to padding: the first maximum takes the gradient
  await checkMaxPool([1, 1, 2, 4], [2, 2], [2, 2], [1, 1], [-3, -3, -1, -1, -3, -3, -1, -2]);
});

test('avgPool 2-D and 3-D: forward against a direct mean, gradient by finite differences', async () => {
  const x = Array.from({ length: 16 }, (_, i) => i);
  const r = await evaluate(
    (_g, [t]) => ({
      y: op.avgPool(t, { kernel: [2, 2] }),
      padded: op.avgPool(t, { kernel: [3, 3], strides: [2, 2], pads: [1, 1] }),
    }),
    [{ shape: [1, 1, 4, 4], values: x }],
  );
  assert.deepEqual(r.y, [2.5, 4.5, 10.5, 12.5]);
  // a padded corner window holds x[0], x[1], x[4], x[5] of 9 cells
  assert.ok(Math.abs(r.padded[0] - (0 + 1 + 4 + 5) / 9) < 1e-6, 'padding counts as zeros');
  for (const [shape, options] of [
    [[2, 3, 4, 6], { kernel: [2, 3] }],
    [[1, 2, 3, 5, 5], { kernel: [3, 3, 3], strides: [1, 2, 2], pads: [1, 1, 1] }],
  ] as const) {
    const fd = await float32GradCheck(
      (_g, [t]) => op.avgPool(t, options),
      [{ shape, values: uniform(size(shape)) }],
    );
    assert.ok(fd.maxRelativeError < 1e-4, `avgPool ${shape}: ${fd.maxRelativeError}`);
  }
});
