import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileEvalStep, compileTrainStep } from '../../onnx/compile.ts';
import type { Graph, Tensor } from '../../onnx/graph.ts';
import * as op from '../../onnx/ops/index.ts';
import { maxRelativeError, outputAndGradients } from '../../onnx/ops/testing.ts';
import { sgd } from '../../onnx/optim/index.ts';
import { Trainer } from '../../onnx/runtime/trainer.ts';
import { gradCheck } from '../../onnx/testing/gradcheck.ts';
import { mulberry32 } from '../../onnx/testing/random.ts';
import { basicBlock, representationWidth, resnetEncoder } from './encoder.ts';
import { composedConvolution, graphLayers, type Layers } from './layers.ts';

const rand = mulberry32(11);
const uniform = (n: number) => Array.from({ length: n }, () => rand() * 2 - 1);
/** Float64 layers whose parameters are constants, for gradient checks with respect to the input. */
const constantLayers = (g: Graph): Layers => ({
  ...graphLayers(g, { seed: 3, training: true, dtype: 'float64' }),
  declare: (name, shape, values) => g.constant(values, shape, 'float64', name),
});

test('the float32 Conv kernel agrees with the float64 composed convolution, output and both gradients', async () => {
  for (const { kernel, stride, side } of [
    { kernel: 3, stride: 1, side: 5 },
    { kernel: 3, stride: 2, side: 6 },
    { kernel: 3, stride: 2, side: 5 },
    { kernel: 1, stride: 2, side: 5 },
  ]) {
    const pad = (kernel - 1) / 2;
    const x = uniform(2 * 3 * side * side);
    const w = uniform(4 * 3 * kernel * kernel);
    const rows = Math.floor((side + 2 * pad - kernel) / stride) + 1;
    const weights = uniform(2 * 4 * rows * rows);
    const run = (dtype: 'float32' | 'float64') =>
      outputAndGradients(
        (_g, [xt, wt]) =>
          dtype === 'float64'
            ? composedConvolution(xt, wt, stride, pad)
            : op.conv(xt, wt, { strides: [stride, stride], pads: [pad, pad] }),
        [
          { shape: [2, 3, side, side], values: x, dtype },
          { shape: [4, 3, kernel, kernel], values: w, dtype },
        ],
        weights,
      );
    const [fused, composed] = [await run('float32'), await run('float64')];
    // float32 rounding of sums of 27 products: errors relative to values of order 1
    const label = `kernel ${kernel} stride ${stride} side ${side}`;
    assert.equal(composed.output.length, 2 * 4 * rows * rows, label);
    assert.ok(maxRelativeError(fused.output, composed.output, 1) < 1e-5, `${label}: output`);
    assert.ok(maxRelativeError(fused.grads[0], composed.grads[0], 1) < 1e-5, `${label}: input gradient`);
    assert.ok(maxRelativeError(fused.grads[1], composed.grads[1], 1) < 1e-5, `${label}: weight gradient`);
  }
});

test('basic blocks (identity and projection shortcut) and the whole encoder: float64 gradients', async () => {
  const check = async (label: string, build: (layers: Layers, x: Tensor) => Tensor, shape: number[]) => {
    const r = await gradCheck((g, [x]) => build(constantLayers(g), x), [{ shape }], {
      maxElements: 12,
    });
    assert.ok(r.maxRelativeError < 1e-6, `${label}: ${JSON.stringify(r.worst)}`);
  };
  await check('identity block', (l, x) => basicBlock(l, 'b', x, 2, 1), [3, 2, 4, 4]);
  await check('projection block', (l, x) => basicBlock(l, 'b', x, 4, 2), [3, 2, 5, 5]);
  await check('encoder', (l, x) => resnetEncoder(l, x, { width: 2, stages: 2, blocks: 1 }), [2, 1, 6, 6]);
  await check(
    'encoder with a stride-2 stem',
    (l, x) => resnetEncoder(l, x, { width: 2, stages: 2, blocks: 1, stemStride: 2 }),
    [2, 1, 8, 8],
  );
});

test('training moves the BatchNorm running statistics; inference uses them, so an image does not depend on its batch', async () => {
  const shape = { width: 4, stages: 2, blocks: 1 };
  const rows = 4;
  const build = (g: Graph, training: boolean) => {
    const layers = graphLayers(g, { seed: 3, training });
    const x = g.input('x', [rows, 1, 6, 6], 'float32');
    const h = resnetEncoder(layers, x, shape);
    return { layers, h };
  };
  const program = compileTrainStep({
    build: (g, { training }) => {
      const { layers, h } = build(g, training);
      return { loss: op.meanAll(op.mul(h, h)), stateUpdates: layers.updates };
    },
    optimizer: sgd(),
    schedule: 0.01,
  });
  const evaluation = compileEvalStep({
    build: (g, { training }) => ({ outputs: { h: build(g, training).h } }),
  });
  assert.equal(
    program.parameters.filter((p) => p.updatedBy && !p.trainable).length,
    2 * (1 + 2 + 2 + 1),
    'stem, two blocks (two BatchNorms each) and one projection shortcut: a mean and a variance each',
  );
  assert.equal(evaluation.outputs[0].shape.join(), `${rows},${representationWidth(shape)}`);
  const trainer = await Trainer.create(program, { device: 'cpu', threads: 1 });
  try {
    await trainer.attachEval(evaluation);
    const image = (k: number) => Array.from({ length: 36 }, (_, i) => Math.sin(i * (k + 1)) * (k + 1));
    const batch = (ks: number[]) => ({ x: Float32Array.from(ks.flatMap(image)) });
    for (let s = 0; s < 3; s++) await trainer.step(batch([s, s + 1, s + 2, s + 3]));
    const parameters = await trainer.parameters();
    const mean = parameters['resnet/stem/bn/running_mean'];
    assert.ok(
      mean.some((v) => v !== 0),
      'the running mean moved',
    );
    const first = (await trainer.evaluate(batch([0, 1, 2, 3]))).outputs.h as Float32Array;
    const second = (await trainer.evaluate(batch([0, 5, 6, 7]))).outputs.h as Float32Array;
    const dim = representationWidth(shape);
    assert.deepEqual(Array.from(first.subarray(0, dim)), Array.from(second.subarray(0, dim)));
    assert.notDeepEqual(Array.from(first.subarray(dim, 2 * dim)), Array.from(second.subarray(dim, 2 * dim)));
  } finally {
    await trainer.release();
  }
});
