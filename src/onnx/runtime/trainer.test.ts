import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maxAbsDiff } from '../testing/compare.ts';
import { formatProfile } from './profile.ts';
import { regressionPrograms } from './testing/regression-programs.ts';
import { Trainer } from './trainer.ts';

test('training on the cpu lowers the loss and feeds updated parameters back', async () => {
  const programs = regressionPrograms();
  const trainer = await Trainer.create(programs.train, { device: 'cpu', threads: 1 });
  try {
    assert.equal(trainer.device.provider, 'cpu');
    const losses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const { loss, metrics } = await trainer.step(programs.batch(i % 4));
      losses.push(loss);
      assert.ok(Number.isFinite(metrics.mae));
    }
    assert.equal(trainer.stepCount, 60);
    assert.ok(losses[59] < losses[0] * 0.5, `loss went from ${losses[0]} to ${losses[59]}`);
    const params = await trainer.parameters();
    const initial = programs.train.parameters[0];
    assert.ok(params[initial.name] instanceof Float32Array);
    assert.notDeepEqual([...params[initial.name]], [...initial.init], 'the parameters moved');
    assert.deepEqual(Object.values(trainer.locations()), Array(8).fill('cpu'));
  } finally {
    await trainer.release();
  }
});

test('the eval program reads the trained parameters, and setParameters replaces them', async () => {
  const programs = regressionPrograms();
  const trainer = await Trainer.create(programs.train, { device: 'cpu', threads: 1 });
  try {
    await trainer.attachEval(programs.eval);
    const batch = programs.batch(0);
    const before = await trainer.evaluate(batch);
    for (let i = 0; i < 20; i++) await trainer.step(programs.batch(i % 4));
    const after = await trainer.evaluate(batch);
    assert.ok(after.scalars.loss < before.scalars.loss);
    const prediction = after.outputs.prediction as Float32Array;
    assert.equal(prediction.length, programs.sizes.batch * programs.sizes.outputs);
    // the eval loss is the mean squared error of the returned predictions
    const y = batch.y as Float32Array;
    const mse = prediction.reduce((s, p, i) => s + (p - y[i]) ** 2, 0) / y.length;
    assert.ok(Math.abs(mse - after.scalars.loss) < 1e-5 * mse);

    await trainer.setParameters(Object.fromEntries(programs.train.parameters.map((p) => [p.name, p.init])));
    const reset = await trainer.evaluate(batch);
    assert.equal(reset.scalars.loss, before.scalars.loss);
  } finally {
    await trainer.release();
  }
});

test('bad batches and programs get errors naming the tensor', async () => {
  const programs = regressionPrograms();
  const trainer = await Trainer.create(programs.train, { device: 'cpu', threads: 1 });
  try {
    const batch = programs.batch(0);
    await assert.rejects(
      trainer.step({ ...batch, x: new Float32Array(3) }),
      /x: 3 values for shape \[16,8\]/,
    );
    await assert.rejects(trainer.step({ ...batch, x: new Float64Array(128) }), /x: expected a Float32Array/);
    await assert.rejects(trainer.step({ x: batch.x }), /y: no values given/);
    await assert.rejects(trainer.step({ ...batch, labels: batch.y }), /labels is not an input/);
    await assert.rejects(
      trainer.setParameters({ 'mlp/nope': new Float32Array(1) }),
      /mlp\/nope is not a parameter/,
    );
    await assert.rejects(trainer.evaluate(batch), /no eval program attached/);
    await assert.rejects(Trainer.create(programs.eval, { device: 'cpu' }), /expected a train program/);
  } finally {
    await trainer.release();
  }
  await assert.rejects(trainer.step(programs.batch(0)), /released/);
});

test('variants: steps at another batch shape train the same parameters and optimizer state', async () => {
  const wide = regressionPrograms();
  const narrow = regressionPrograms({ batch: 8, inputs: 8, hidden: 16, outputs: 2 });
  const half = (i: number) => {
    const b = wide.batch(i);
    return { x: (b.x as Float32Array).slice(0, 64), y: (b.y as Float32Array).slice(0, 16) };
  };
  const both = await Trainer.create(wide.train, { device: 'cpu', threads: 1, variants: [narrow.train] });
  const alone = await Trainer.create(narrow.train, { device: 'cpu', threads: 1 });
  try {
    // interleaved: a wide step, then a narrow one through the variant, on the updated weights
    await both.step(wide.batch(0));
    await alone.setParameters(await both.parameters());
    await alone.setOptimizerState(await both.optimizerState());
    const viaVariant = await both.step(half(1), 1);
    const direct = await alone.step(half(1));
    assert.ok(Math.abs(viaVariant.loss - direct.loss) < 1e-6, `${viaVariant.loss} vs ${direct.loss}`);
    assert.equal(both.stepCount, 2);
    const a = await both.parameters();
    const b = await alone.parameters();
    for (const name of Object.keys(a)) {
      const gap = maxAbsDiff(a[name], b[name]);
      assert.ok(gap < 1e-6, `${name} differs by ${gap}`);
    }
    // and the variant's update is what the next wide step starts from
    const next = await both.step(wide.batch(2));
    assert.ok(Number.isFinite(next.loss));
    await assert.rejects(both.step(half(1), 2), /no variant 2 \(this trainer has 1\)/);
    await assert.rejects(both.step(wide.batch(0), 1), /x: 128 values for shape \[8,8\]/);
  } finally {
    await both.release();
    await alone.release();
  }
  const other = regressionPrograms({ batch: 8, inputs: 8, hidden: 12, outputs: 2 });
  await assert.rejects(
    Trainer.create(wide.train, { device: 'cpu', variants: [other.train] }),
    /a variant differs from the program: .*parameter mlp\/layer0\/bias float32\[12\] \(only in the variant\)/,
  );
});

test('profiling breaks step time down by op type and model scope', async () => {
  const programs = regressionPrograms();
  const trainer = await Trainer.create(programs.train, { device: 'cpu', threads: 1, profile: true });
  try {
    for (let i = 0; i < 3; i++) await trainer.step(programs.batch(i));
    const profile = await trainer.profile();
    assert.equal(profile.runs, 3);
    assert.ok(profile.kernelMs > 0);
    const ops = profile.byOpType.map((l) => l.key);
    assert.ok(
      ops.some((o) => /Gemm|MatMul/.test(o)),
      `op types: ${ops}`,
    );
    const scopes = profile.byScope.map((l) => l.key);
    for (const scope of ['mlp/layer0', 'grad/mlp', 'sgd'])
      assert.ok(scopes.includes(scope), `scopes: ${scopes}`);
    assert.ok(Math.abs(profile.byOpType.reduce((s, l) => s + l.share, 0) - 1) < 1e-9);
    assert.deepEqual(
      profile.byProvider.map((l) => l.key),
      ['CPUExecutionProvider'],
    );
    const table = formatProfile(profile);
    assert.match(table, /^3 runs, kernels [\d.]+ ms\/run of [\d.]+ ms\/run/);
    assert.match(table, /by scope \(depth 2\)[\s\S]*grad\/mlp/);
  } finally {
    await trainer.release();
  }
});
