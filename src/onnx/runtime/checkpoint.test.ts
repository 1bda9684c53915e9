import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { readCheckpoint, resume, saveCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { regressionPrograms } from './testing/regression-programs.ts';
import { Trainer } from './trainer.ts';
import { TrainerThread } from './trainer-thread.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'constellation-checkpoint-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test('N steps straight equal k steps, checkpoint, a fresh trainer thread resuming, N-k steps: bit for bit', async () => {
  const programs = regressionPrograms();
  const total = 12;
  const split = 5;
  const threads = 2;

  const straight = await Trainer.create(programs.train, { device: 'cpu', threads });
  const straightLosses: number[] = [];
  for (let i = 0; i < total; i++) straightLosses.push((await straight.step(programs.batch(i))).loss);
  const expected = await straight.parameters();
  await straight.release();

  const file = path.join(dir, 'run.safetensors');
  const first = await TrainerThread.start({ program: programs.train, device: 'cpu', threads });
  const losses: number[] = [];
  try {
    for (let i = 0; i < split; i++) losses.push((await first.step(programs.batch(i))).loss);
    const rng = { sampler: [123456789, 362436069], dropoutSeed: 42 };
    assert.deepEqual(await first.checkpoint(file, { rng, cursor: { epoch: 0, offset: split } }), {
      step: split,
    });
  } finally {
    await first.stop();
  }

  const second = await TrainerThread.start({
    program: programs.train,
    evaluation: programs.eval,
    device: 'cpu',
    threads,
    resumeFrom: file,
  });
  try {
    assert.equal(second.started.step, split);
    assert.equal(second.started.provider, 'cpu');
    assert.deepEqual(second.started.rng, { sampler: [123456789, 362436069], dropoutSeed: 42 });
    assert.deepEqual(second.started.cursor, { epoch: 0, offset: split });
    for (let i = split; i < total; i++) {
      const batch = programs.batch(i);
      losses.push((await second.step(batch)).loss);
      assert.equal(batch.x.byteLength, 0, 'the batch buffer moved to the thread');
    }
    assert.deepEqual(losses, straightLosses);
    const resumed = await second.parameters();
    for (const [name, values] of Object.entries(expected)) {
      assert.ok(bytesOf(values).equals(bytesOf(resumed[name])), `${name} differs after resuming`);
    }
    const evaluation = await second.evaluate(programs.batch(0));
    assert.ok(Number.isFinite(evaluation.scalars.loss));
  } finally {
    await second.stop();
  }
});

test('the file is safetensors: u64 header length, JSON header with offsets, raw little-endian data', async () => {
  const programs = regressionPrograms();
  const trainer = await Trainer.create(programs.train, { device: 'cpu', threads: 1 });
  const file = path.join(dir, 'layout.safetensors');
  try {
    await trainer.step(programs.batch(0));
    await saveCheckpoint(file, trainer, { cursor: { offset: 16 } });
    const bytes = readFileSync(file);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    assert.equal(headerLength % 8, 0);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
    assert.deepEqual(header.__metadata__, {
      format: 'constellation-checkpoint/1',
      step: '1',
      rng: 'null',
      cursor: '{"offset":16}',
    });
    const entry = header['parameters/mlp/layer0/weight'];
    assert.deepEqual(entry.dtype, 'F32');
    assert.deepEqual(entry.shape, [8, 16]);
    const [begin, end] = entry.data_offsets;
    const stored = new Float32Array(
      new Uint8Array(bytes.subarray(8 + headerLength + begin, 8 + headerLength + end)).buffer,
    );
    assert.deepEqual(stored, (await trainer.parameters())['mlp/layer0/weight']);
    assert.ok(header['state/mlp/layer1/bias.velocity']);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file is left behind',
    );

    const resumed = await resume(file, programs.train, { device: 'cpu', threads: 1 });
    assert.equal(resumed.trainer.stepCount, 1);
    assert.deepEqual(resumed.checkpoint.cursor, { offset: 16 });
    await resumed.trainer.release();
  } finally {
    await trainer.release();
  }
});

test('a failed write keeps the previous checkpoint; bad files are refused with the tensor named', async () => {
  const programs = regressionPrograms();
  const file = path.join(dir, 'keep.safetensors');
  const good = {
    step: 3,
    rng: null,
    cursor: null,
    parameters: Object.fromEntries(programs.train.parameters.map((p) => [p.name, p.init])),
    state: Object.fromEntries(programs.train.state.map((s) => [s.name, s.init])),
  };
  await writeCheckpoint(file, programs.train, good);
  const before = readFileSync(file);
  const { 'mlp/layer1/bias': _, ...partial } = good.parameters;
  await assert.rejects(
    writeCheckpoint(file, programs.train, { ...good, parameters: partial }),
    /no values for/,
  );
  assert.ok(readFileSync(file).equals(before));

  const other = regressionPrograms({ batch: 16, inputs: 8, hidden: 12, outputs: 2 });
  await assert.rejects(readCheckpoint(file, other.train), (error: Error) => {
    assert.equal(error.name, 'InputError');
    assert.match(
      error.message,
      /keep\.safetensors \(parameters\/mlp\/layer0\/weight\): is F32\[8,16\] but the program expects F32\[8,12\]/,
    );
    return true;
  });
  const truncated = path.join(dir, 'truncated.safetensors');
  writeFileSync(truncated, before.subarray(0, 100));
  await assert.rejects(
    readCheckpoint(truncated, programs.train),
    /truncated\.safetensors: header length \d+ exceeds the file/,
  );
});
