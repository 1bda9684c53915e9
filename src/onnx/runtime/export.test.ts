import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import ort from 'onnxruntime-node';
import { saveModel } from './export.ts';
import { regressionPrograms } from './testing/regression-programs.ts';
import { Trainer } from './trainer.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'constellation-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('an exported inference model runs in a plain InferenceSession with the eval program outputs', async () => {
  const programs = regressionPrograms();
  const trainer = await Trainer.create(programs.train, { device: 'cpu', threads: 1 });
  const file = path.join(dir, 'mlp.onnx');
  let expected: Float32Array;
  try {
    await trainer.attachEval(programs.eval);
    for (let i = 0; i < 10; i++) await trainer.step(programs.batch(i));
    expected = (await trainer.evaluate(programs.batch(99))).outputs.prediction as Float32Array;
    await saveModel(file, programs.inference(await trainer.parameters()));
  } finally {
    await trainer.release();
  }
  assert.deepEqual(readdirSync(dir), ['mlp.onnx']);

  const session = await ort.InferenceSession.create(file);
  try {
    assert.deepEqual(session.inputNames, ['x']);
    const { x } = programs.batch(99);
    const out = await session.run({ x: new ort.Tensor('float32', x, [16, 8]) });
    const prediction = out.prediction.data as Float32Array;
    assert.equal(prediction.length, expected.length);
    prediction.forEach((v, i) => {
      assert.ok(
        Math.abs(v - expected[i]) <= 1e-6 * Math.max(1, Math.abs(v)),
        `prediction ${i}: ${v} vs ${expected[i]}`,
      );
    });
  } finally {
    await session.release();
  }
});

test('saveModel refuses an empty model and leaves nothing behind', async () => {
  await assert.rejects(
    saveModel(path.join(dir, 'empty.onnx'), new Uint8Array()),
    /empty\.onnx: the model is empty/,
  );
  assert.ok(!readdirSync(dir).includes('empty.onnx'));
});
