// The ops on the WebGPU provider (SwiftShader where there is no GPU) against the CPU: dropout
// masks must be identical (int32 hash), and the kernels the forwards and gradients rely on
// (com.microsoft Gelu, LayerNormalization, Conv/ConvTranspose, MaxPool, CumSum, ScatterND)
// must load and agree. Its own process under node --test, so the Vulkan loader setting stays here.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import ort from 'onnxruntime-node';
import { grad } from '../autodiff.ts';
import { Graph } from '../graph.ts';
import { pointVulkanAtSwiftShader } from '../runtime/testing/swiftshader.ts';
import * as op from './index.ts';
import { maxRelativeError } from './testing.ts';

const swiftshader = pointVulkanAtSwiftShader();
after(() => {
  if (swiftshader.icd) swiftshader.cleanup();
});

test('dropout masks are identical and gradients agree on webgpu and cpu', async (t) => {
  if (swiftshader.icd === null) {
    const message = `no SwiftShader Vulkan driver (install chromium); looked at ${swiftshader.searched.join(', ')}`;
    if (process.env.CI) assert.fail(message);
    t.skip(message);
    return;
  }
  const g = new Graph('webgpu-ops');
  const x = g.input('x', [2, 3, 8, 8]);
  const ids = g.input('ids', [2, 5], 'int64');
  const seed = g.input('seed', [], 'int64');
  const param = (name: string, shape: number[], f: (i: number) => number) =>
    g.parameter(name, shape, {
      values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)),
    });
  const w = param('w', [4, 3, 2, 2], Math.sin);
  const table = param('table', [7, 16], Math.cos);
  const gamma = param('gamma', [16], () => 1.5);
  const beta = param('beta', [16], () => 0.1);
  const pooled = op.maxPool(op.conv(x, w, { strides: [2, 2] }), {
    kernel: [3, 3],
    strides: [2, 2],
    pads: [1, 1],
  });
  const tokens = op.add(op.embedding(table, ids), op.reshape(pooled, [2, 1, 16]));
  const hidden = op.gelu(op.dropout(op.layerNorm(tokens, gamma, beta), { p: 0.5, seed }));
  const loss = op.meanAll(op.mul(hidden, hidden));
  const grads = grad(loss, [w, table, gamma]);
  g.output('loss', loss);
  grads.forEach((t, i) => {
    g.output(`grad${i}`, t);
  });
  g.output('mask', op.dropoutMask(g, [64, 64], { p: 0.3, seed }));
  const feeds: Record<string, ort.Tensor> = {
    x: new ort.Tensor(
      'float32',
      Float32Array.from({ length: 384 }, (_, i) => Math.sin(i * 0.3)),
      [2, 3, 8, 8],
    ),
    ids: new ort.Tensor('int64', BigInt64Array.from([0, 3, 3, 6, 1, 2, 2, 2, 5, 4], BigInt), [2, 5]),
    seed: new ort.Tensor('int64', BigInt64Array.of(123n), []),
  };
  for (const p of g.parameters) {
    feeds[p.tensor.name] = new ort.Tensor('float32', p.values as Float32Array, [...p.tensor.shape]);
  }
  const model = g.toModel();
  const run = async (provider: 'cpu' | 'webgpu') => {
    const session = await ort.InferenceSession.create(model, { executionProviders: [provider] });
    try {
      const result = await session.run(feeds);
      return Object.fromEntries(
        Object.entries(result).map(([k, v]) => [k, Array.from(v.data as Float32Array)]),
      );
    } finally {
      await session.release();
    }
  };
  const cpu = await run('cpu');
  const gpu = await run('webgpu');
  assert.deepEqual(gpu.mask, cpu.mask, 'the same dropout mask on both devices');
  assert.ok(maxRelativeError(gpu.loss, cpu.loss) < 1e-5, `loss ${cpu.loss} vs ${gpu.loss}`);
  for (const name of ['grad0', 'grad1', 'grad2']) {
    assert.ok(
      maxRelativeError(gpu[name], cpu[name], 1e-2) < 1e-4,
      `${name}: ${maxRelativeError(gpu[name], cpu[name], 1e-2)}`,
    );
  }
});
