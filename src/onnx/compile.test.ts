import assert from 'node:assert/strict';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { type BuildStep, compileEvalStep, compileTrainStep, exportInference } from './compile.ts';
import type { DType } from './dtype.ts';
import { softmaxCrossEntropy } from './losses.ts';
import * as op from './ops/index.ts';
import { adam, adamw, schedule, sgd } from './optim/index.ts';
import { runProgram } from './testing/program-loop.ts';
import { mulberry32 } from './testing/random.ts';

const f64 = (values: Float64Array, shape: number[]) => new ort.Tensor('float64', values, shape);

/**
 * A linear layer with a frozen input scale and a centering layer whose running mean is model
 * state: training centres by the batch mean and updates the running mean, eval uses it.
 */
function centeredLinear(batch: number, dtype: DType = 'float64'): BuildStep {
  const Values = dtype === 'float64' ? Float64Array : Float32Array;
  return (g, { training }) => {
    const x = g.input('x', [batch, 3], dtype);
    const scale = g.parameter('input/scale', [3], { values: Values.from([1, 2, 0.5]) }, { trainable: false });
    const running = g.parameter('center/running_mean', [3], { values: new Values(3) }, { trainable: false });
    const w = g.parameter('linear/w', [3, 1], { values: Values.from([0.1, -0.2, 0.3]) });
    const b = g.parameter('linear/b', [1], { values: Values.from([0]) });
    const scaled = op.mul(x, scale);
    const mean = op.reduceMean(scaled, [0]);
    const centred = op.sub(scaled, training ? mean : running);
    const prediction = op.add(op.matmul(centred, w), b);
    if (!training) return { outputs: { prediction } };
    const y = g.input('y', [batch, 1], dtype);
    const r = op.sub(prediction, y);
    return {
      loss: op.meanAll(op.mul(r, r)),
      metrics: { mae: op.meanAll(op.abs(r)) },
      stateUpdates: [{ parameter: running, next: op.add(op.mul(running, 0.9), op.mul(mean, 0.1)) }],
    };
  };
}

test('train program naming: parameters, frozen parameters, model state, optimizer state, scalars', async () => {
  const program = compileTrainStep({
    build: centeredLinear(4),
    optimizer: adam(),
    schedule: 0.01,
    clipNorm: 1,
  });
  assert.equal(program.kind, 'train');
  assert.deepEqual(
    program.batch.map((b) => b.name),
    ['x', 'y'],
  );
  assert.deepEqual(
    program.parameters.map((p) => [p.name, p.trainable, p.updatedBy]),
    [
      ['input/scale', false, undefined],
      ['center/running_mean', false, 'next/center/running_mean'],
      ['linear/w', true, 'next/linear/w'],
      ['linear/b', true, 'next/linear/b'],
    ],
  );
  assert.deepEqual(
    program.state.map((s) => [s.name, s.dtype, s.shape, s.updatedBy]),
    [
      ['state/step', 'int64', [], 'next/state/step'],
      ['state/linear/w/m', 'float64', [3, 1], 'next/state/linear/w/m'],
      ['state/linear/w/v', 'float64', [3, 1], 'next/state/linear/w/v'],
      ['state/linear/b/m', 'float64', [1], 'next/state/linear/b/m'],
      ['state/linear/b/v', 'float64', [1], 'next/state/linear/b/v'],
    ],
  );
  assert.ok(program.state.every((s) => s.init.every((v: number | bigint) => Number(v) === 0)));
  assert.deepEqual(program.scalars, ['loss', 'mae', 'lr', 'grad_norm']);

  const session = await ort.InferenceSession.create(program.model);
  assert.deepEqual(
    [...session.inputNames].sort(),
    [...program.batch, ...program.parameters, ...program.state].map((t) => t.name).sort(),
  );
  const updatedBy = [...program.parameters, ...program.state].flatMap((t) =>
    t.updatedBy ? [t.updatedBy] : [],
  );
  assert.deepEqual([...session.outputNames].sort(), [...program.scalars, ...updatedBy].sort());
  await session.release();

  const rand = mulberry32(5);
  const loop = await runProgram(program);
  let running = [0, 0, 0];
  for (let s = 0; s < 3; s++) {
    const x = Float64Array.from({ length: 12 }, () => rand());
    const { scalars } = await loop.step({
      x: f64(x, [4, 3]),
      y: f64(Float64Array.from([1, 0, 1, 0]), [4, 1]),
    });
    assert.ok(scalars.loss > 0 && scalars.mae > 0 && scalars.lr === 0.01 && scalars.grad_norm > 0);
    running = running.map((r, c) => {
      const mean = [0, 1, 2, 3].reduce((acc, n) => acc + x[n * 3 + c] * [1, 2, 0.5][c], 0) / 4;
      return 0.9 * r + 0.1 * mean;
    });
  }
  const runningOut = loop.values.get('center/running_mean')!.data as Float64Array;
  running.forEach((r, c) => {
    assert.ok(Math.abs(runningOut[c] - r) < 1e-15);
  });
  assert.deepEqual([...(loop.values.get('input/scale')!.data as Float64Array)], [1, 2, 0.5]);
  assert.equal(loop.values.get('next/state/step'), undefined);
  assert.equal(loop.values.get('state/step')!.data[0], 3n);
  await loop.release();
});

test('hyperparameters fed as graph inputs are batch inputs of the program', async () => {
  const program = compileTrainStep({
    build: centeredLinear(4),
    optimizer: (g) => sgd({ momentum: g.input('momentum', [], 'float64') }),
    schedule: (g) => g.input('learning_rate', [], 'float64'),
  });
  assert.deepEqual(
    program.batch.map((b) => b.name),
    ['x', 'y', 'learning_rate', 'momentum'],
  );
  const loop = await runProgram(program);
  const x = f64(
    Float64Array.from({ length: 12 }, (_, i) => i / 12),
    [4, 3],
  );
  const y = f64(Float64Array.from([1, 0, 1, 0]), [4, 1]);
  const feed = (lr: number) => ({
    x,
    y,
    learning_rate: f64(Float64Array.from([lr]), []),
    momentum: f64(Float64Array.from([0.5]), []),
  });
  const w0 = Float64Array.from(loop.values.get('linear/w')!.data as Float64Array);
  const { scalars } = await loop.step(feed(0));
  assert.equal(scalars.lr, 0);
  assert.deepEqual(loop.values.get('linear/w')!.data, w0);
  await loop.step(feed(0.1));
  assert.notDeepEqual(loop.values.get('linear/w')!.data, w0);
  await loop.release();
});

test('gradient accumulation: k steps of batch b equal one step of batch k·b', async () => {
  const k = 3;
  const b = 4;
  // no batch-statistics layer here: its per-micro-batch mean differs from the large batch's by design
  const build =
    (batch: number): BuildStep =>
    (g) => {
      const x = g.input('x', [batch, 3], 'float64');
      const y = g.input('y', [batch, 1], 'float64');
      const w = g.parameter('w', [3, 1], { values: Float64Array.from([0.1, -0.2, 0.3]) });
      const bias = g.parameter('b', [1], { values: Float64Array.from([0.5]) });
      const r = op.sub(op.add(op.matmul(op.tanh(x), w), bias), y);
      return { loss: op.meanAll(op.mul(r, r)) };
    };
  const sched = schedule.warmupLinearDecay({ peak: 0.1, warmupSteps: 1, totalSteps: 4 });
  const options = { optimizer: adam({ weightDecay: 0.01 }), schedule: sched, clipNorm: 0.5 };
  const accumulated = compileTrainStep({ build: build(b), accumulate: k, ...options });
  const large = compileTrainStep({ build: build(k * b), ...options });
  assert.deepEqual(
    accumulated.state.map((s) => s.name),
    ['state/step', 'state/w/accum', 'state/b/accum', 'state/w/m', 'state/w/v', 'state/b/m', 'state/b/v'],
  );
  const rand = mulberry32(9);
  const small = await runProgram(accumulated);
  const big = await runProgram(large);
  for (let update = 0; update < 2; update++) {
    const x = Float64Array.from({ length: k * b * 3 }, () => rand() * 4 - 2);
    const y = Float64Array.from({ length: k * b }, () => rand());
    await big.step({ x: f64(x, [k * b, 3]), y: f64(y, [k * b, 1]) });
    const before = Float64Array.from(small.values.get('w')!.data as Float64Array);
    for (let micro = 0; micro < k; micro++) {
      if (micro > 0) {
        assert.deepEqual(small.values.get('w')!.data, before, `w moved at micro-step ${micro} of ${k}`);
      }
      await small.step({
        x: f64(x.slice(micro * b * 3, (micro + 1) * b * 3), [b, 3]),
        y: f64(y.slice(micro * b, (micro + 1) * b), [b, 1]),
      });
    }
    for (const name of ['w', 'b', 'state/w/m', 'state/w/v']) {
      const got = small.values.get(name)!.data as Float64Array;
      const want = big.values.get(name)!.data as Float64Array;
      want.forEach((v, i) => {
        assert.ok(Math.abs(got[i] - v) < 1e-12 * Math.max(1, Math.abs(v)), `${name}[${i}] ${got[i]} vs ${v}`);
      });
    }
    assert.ok((small.values.get('state/w/accum')!.data as Float64Array).every((v) => v === 0));
  }
  await small.release();
  await big.release();
});

test('eval program shares parameter names; the exported model gives its outputs', async () => {
  const build = centeredLinear(5, 'float32');
  const train = compileTrainStep({ build, optimizer: sgd({ momentum: 0.9 }), schedule: 0.05 });
  const evaluation = compileEvalStep({ build });
  assert.equal(evaluation.kind, 'eval');
  assert.deepEqual(
    evaluation.parameters.map((p) => [p.name, p.updatedBy]),
    train.parameters.map((p) => [p.name, undefined]),
  );
  assert.deepEqual(evaluation.state, []);
  assert.deepEqual(evaluation.scalars, []);
  assert.deepEqual(evaluation.outputs, [{ name: 'prediction', shape: [5, 1], dtype: 'float32' }]);

  const rand = mulberry32(3);
  const loop = await runProgram(train);
  for (let s = 0; s < 4; s++) {
    await loop.step({
      x: new ort.Tensor(
        'float32',
        Float32Array.from({ length: 15 }, () => rand()),
        [5, 3],
      ),
      y: new ort.Tensor(
        'float32',
        Float32Array.from({ length: 5 }, () => rand()),
        [5, 1],
      ),
    });
  }
  // the eval program reads the training loop's current parameters, running mean included
  const evalLoop = await runProgram(evaluation, loop.values);
  const x = new ort.Tensor(
    'float32',
    Float32Array.from({ length: 15 }, () => rand()),
    [5, 3],
  );
  const fromEval = (await evalLoop.step({ x })).outputs.prediction.data as Float32Array;

  const trained = new Map(
    train.parameters.map((p) => [p.name, loop.values.get(p.name)!.data as Float32Array]),
  );
  const exported = await ort.InferenceSession.create(exportInference(evaluation, trained));
  assert.deepEqual(exported.inputNames, ['x']);
  const fromExport = (await exported.run({ x })).prediction.data as Float32Array;
  fromEval.forEach((v, i) => {
    assert.ok(Math.abs(fromExport[i] - v) < 1e-6, `prediction ${i}: ${fromExport[i]} vs ${v}`);
  });
  assert.throws(() => exportInference(train, trained), /eval program/);
  assert.throws(() => exportInference(evaluation, new Map([['nope', new Float32Array(1)]])), /nope/);
  await Promise.all([exported.release(), evalLoop.release(), loop.release()]);
});

test('a small MLP learns a separable 3-class problem with AdamW in 50 steps', async (t) => {
  const rand = mulberry32(42);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const sample = (n: number) => {
    const x = new Float32Array(n * 2);
    const y = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const c = Math.floor(rand() * 3);
      x[i * 2] = 2 * Math.cos((2 * Math.PI * c) / 3) + 0.5 * gaussian();
      x[i * 2 + 1] = 2 * Math.sin((2 * Math.PI * c) / 3) + 0.5 * gaussian();
      y[i] = BigInt(c);
    }
    return { x, y };
  };
  const init = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const hidden = 16;
  const mlp =
    (batch: number): BuildStep =>
    (g) => {
      const x = g.input('x', [batch, 2]);
      const w1 = g.parameter('hidden/w', [2, hidden], { values: init(2 * hidden, 0.7) });
      const b1 = g.parameter('hidden/b', [hidden], { values: new Float32Array(hidden) });
      const w2 = g.parameter('out/w', [hidden, 3], { values: init(hidden * 3, 0.25) });
      const b2 = g.parameter('out/b', [3], { values: new Float32Array(3) });
      const logits = op.add(op.matmul(op.relu(op.add(op.matmul(x, w1), b1)), w2), b2);
      const labels = g.input('label', [batch], 'int64');
      return { loss: softmaxCrossEntropy(logits, labels), outputs: { logits } };
    };
  const train = compileTrainStep({
    build: mlp(32),
    optimizer: adamw({ weightDecay: 0.01 }),
    schedule: schedule.warmupCosineDecay({ peak: 0.05, warmupSteps: 5, totalSteps: 50, end: 0.005 }),
    clipNorm: 5,
  });
  const loop = await runProgram(train);
  const losses: number[] = [];
  for (let s = 0; s < 50; s++) {
    const { x, y } = sample(32);
    const { scalars } = await loop.step({
      x: new ort.Tensor('float32', x, [32, 2]),
      label: new ort.Tensor('int64', y, [32]),
    });
    losses.push(scalars.loss);
  }
  const first = (losses[0] + losses[1] + losses[2]) / 3;
  const last = (losses[47] + losses[48] + losses[49]) / 3;
  assert.ok(last < first * 0.3, `loss ${first.toFixed(3)} -> ${last.toFixed(3)}`);

  const held = sample(256);
  const evaluation = compileEvalStep({ build: mlp(256) });
  const evalLoop = await runProgram(evaluation, loop.values);
  const { scalars, outputs } = await evalLoop.step({
    x: new ort.Tensor('float32', held.x, [256, 2]),
    label: new ort.Tensor('int64', held.y, [256]),
  });
  const logits = outputs.logits.data as Float32Array;
  let correct = 0;
  for (let i = 0; i < 256; i++) {
    const row = [0, 1, 2].map((c) => logits[i * 3 + c]);
    if (BigInt(row.indexOf(Math.max(...row))) === held.y[i]) correct++;
  }
  t.diagnostic(`loss ${first.toFixed(4)} -> ${last.toFixed(4)}, held-out accuracy ${correct / 256}`);
  assert.ok(correct / 256 > 0.9, `held-out accuracy ${correct / 256}`);
  assert.ok(scalars.loss < first * 0.3, `held-out loss ${scalars.loss}`);
  await evalLoop.release();
  await loop.release();
});
