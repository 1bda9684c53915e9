// The WebGPU path with device-resident parameters, run on SwiftShader where there is no GPU.
// This file is its own process under node --test, so pointing the Vulkan loader at SwiftShader
// here (before any WebGPU session) affects nothing else.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Graph } from '../graph.ts';
import * as op from '../ops/index.ts';
import type { Program } from '../program.ts';
import { probeProvider, resolveDevice } from './devices.ts';
import { pointVulkanAtSwiftShader } from './testing/swiftshader.ts';
import { tokenClassifier } from './testing/token-classifier.ts';
import { Trainer } from './trainer.ts';
import { TrainerThread } from './trainer-thread.ts';

const swiftshader = pointVulkanAtSwiftShader();
after(() => {
  if (swiftshader.icd) swiftshader.cleanup();
});

function needSwiftShader(t: { skip(message: string): void }): boolean {
  if (swiftshader.icd !== null) return true;
  const message = `no SwiftShader Vulkan driver found (install chromium); looked at ${swiftshader.searched.join(', ')}`;
  // CI installs chromium for exactly this test, so there a missing driver is a failure.
  if (process.env.CI) assert.fail(message);
  t.skip(message);
  return false;
}

test('the probe finds webgpu on SwiftShader, and auto does not pick software rendering', async (t) => {
  if (!needSwiftShader(t)) return;
  const probe = await probeProvider('webgpu');
  t.diagnostic(JSON.stringify(probe));
  assert.equal(probe.works, true, probe.reason);
  assert.equal(probe.software, true);
  const auto = await resolveDevice('auto');
  if (auto.provider === 'webgpu') assert.fail('auto chose software webgpu');
  t.diagnostic(`auto: ${auto.provider} (${auto.reason})`);
});

test('compiled AdamW training steps on webgpu with device-resident parameters match the cpu', async (t) => {
  if (!needSwiftShader(t)) return;
  const model = tokenClassifier();
  const steps = 4;
  const run = async (device: 'cpu' | 'webgpu') => {
    const started = performance.now();
    const trainer = await Trainer.create(model.train, { device, threads: 1 });
    const created = performance.now();
    try {
      await trainer.attachEval(model.eval);
      // the first step compiles every kernel (seconds on SwiftShader); the rest show the step time
      const losses = [(await trainer.step(model.batch(0))).loss];
      const first = performance.now();
      for (let i = 1; i < steps; i++) losses.push((await trainer.step(model.batch(i))).loss);
      const stepped = performance.now();
      const locations = new Set(Object.values(trainer.locations()));
      const logits = (await trainer.evaluate({ ids: model.batch(0).ids })).outputs.logits as Float32Array;
      const parameters = await trainer.parameters();
      const ms = {
        create: Math.round(created - started),
        firstStep: Math.round(first - created),
        laterSteps: +((stepped - first) / (steps - 1)).toFixed(2),
      };
      return { losses, locations, logits, parameters, ms };
    } finally {
      await trainer.release();
    }
  };
  const cpu = await run('cpu');
  const gpu = await run('webgpu');
  t.diagnostic(`cpu losses ${cpu.losses.join(' ')}; ${JSON.stringify(cpu.ms)}`);
  t.diagnostic(`webgpu losses ${gpu.losses.join(' ')}; ${JSON.stringify(gpu.ms)}`);
  assert.deepEqual([...gpu.locations], ['gpu-buffer'], 'parameters and optimizer state stay on the device');
  assert.deepEqual([...cpu.locations], ['cpu']);
  const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);
  cpu.losses.forEach((loss, i) => {
    assert.ok(relative(loss, gpu.losses[i]) < 1e-4, `step ${i}: cpu ${loss}, webgpu ${gpu.losses[i]}`);
  });
  const largestDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    return worst;
  };
  assert.ok(largestDifference(cpu.logits, gpu.logits) < 1e-4, 'eval logits agree');
  for (const [name, values] of Object.entries(cpu.parameters)) {
    const worst = largestDifference(values, gpu.parameters[name]);
    assert.ok(worst < 1e-4, `${name}: largest difference ${worst}`);
  }
});

/** One 4 MiB parameter decaying by 0.1% a step: a leaked GPU buffer per step would show plainly. */
function decayProgram(n: number): Program {
  const g = new Graph('decay');
  const x = g.input('x', [1]);
  const init = new Float32Array(n).fill(1);
  const w = g.parameter('w', [n], { values: init });
  g.output('w.next', op.sub(w, op.mul(w, 0.001)));
  g.output('loss', op.mul(op.meanAll(w), x));
  return {
    kind: 'train',
    model: g.toModel(),
    batch: [{ name: 'x', shape: [1], dtype: 'float32' }],
    parameters: [{ name: 'w', shape: [n], dtype: 'float32', init, trainable: true, updatedBy: 'w.next' }],
    state: [],
    scalars: ['loss'],
    outputs: [],
  };
}

test('replaced GPU buffers are freed, so memory does not grow per step', async (t) => {
  if (!needSwiftShader(t)) return;
  const n = 1 << 20;
  const trainer = await Trainer.create(decayProgram(n), { device: 'webgpu', threads: 1 });
  try {
    const x = new Float32Array([1]);
    for (let i = 0; i < 20; i++) await trainer.step({ x });
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 100; i++) await trainer.step({ x });
    const grown = (process.memoryUsage().rss - before) / 2 ** 20;
    t.diagnostic(`rss grew ${grown.toFixed(1)} MiB over 100 steps with a 4 MiB parameter`);
    // SwiftShader's buffers are host memory: keeping every step's buffer would add 400 MiB
    assert.ok(grown < 100, `rss grew ${grown} MiB`);
    const w = (await trainer.parameters()).w;
    assert.ok(Math.abs(w[0] - 0.999 ** 120) < 1e-5, `w[0] = ${w[0]}`);
  } finally {
    await trainer.release();
  }
});

test('a trainer thread trains on webgpu', async (t) => {
  if (!needSwiftShader(t)) return;
  const thread = await TrainerThread.start({ program: decayProgram(1024), device: 'webgpu', threads: 1 });
  try {
    assert.equal(thread.started.provider, 'webgpu');
    for (let i = 0; i < 3; i++) await thread.step({ x: new Float32Array([1]) });
    const w = (await thread.parameters()).w;
    assert.ok(Math.abs(w[0] - 0.999 ** 3) < 1e-6, `w[0] = ${w[0]}`);
  } finally {
    await thread.stop();
  }
});
