// The runtime against the step compiler's real output: AdamW state with an int64 step counter,
// a schedule and clipping in-graph, an eval program and exportInference.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import ort from 'onnxruntime-node';
import { exportInference } from '../compile.ts';
import { resume, saveCheckpoint } from './checkpoint.ts';
import { saveModel } from './export.ts';
import { tokenClassifier } from './testing/token-classifier.ts';
import { Trainer } from './trainer.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'constellation-compiled-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a compiled AdamW program trains, resumes bit for bit, and exports', async () => {
  const model = tokenClassifier();
  const total = 16;
  const split = 7;
  const straight = await Trainer.create(model.train, { device: 'cpu', threads: 2 });
  const losses: number[] = [];
  let expected: Record<string, Float32Array | Float64Array>;
  try {
    for (let i = 0; i < total; i++) {
      const { loss, metrics } = await straight.step(model.batch(i % 4));
      losses.push(loss);
      assert.ok(metrics.lr > 0 && Number.isFinite(metrics.grad_norm), JSON.stringify(metrics));
    }
    expected = await straight.parameters();
    const state = await straight.optimizerState();
    assert.deepEqual(state['state/step'], BigInt64Array.of(BigInt(total)));
  } finally {
    await straight.release();
  }
  assert.ok(losses[total - 1] < losses[0], `loss ${losses[0]} -> ${losses[total - 1]}`);

  const file = path.join(dir, 'classifier.safetensors');
  const first = await Trainer.create(model.train, { device: 'cpu', threads: 2 });
  try {
    for (let i = 0; i < split; i++) await first.step(model.batch(i % 4));
    await saveCheckpoint(file, first, { cursor: { batch: split } });
  } finally {
    await first.release();
  }
  const { trainer, checkpoint } = await resume(file, model.train, { device: 'cpu', threads: 2 });
  try {
    assert.deepEqual(checkpoint.cursor, { batch: split });
    for (let i = split; i < total; i++) {
      assert.equal((await trainer.step(model.batch(i % 4))).loss, losses[i], `step ${i}`);
    }
    const resumed = await trainer.parameters();
    for (const [name, values] of Object.entries(expected)) {
      assert.ok(Buffer.from(values.buffer).equals(Buffer.from(resumed[name].buffer)), `${name} differs`);
    }

    await trainer.attachEval(model.eval);
    const batch = model.batch(0);
    const logits = (await trainer.evaluate({ ids: batch.ids })).outputs.logits as Float32Array;
    const exported = path.join(dir, 'classifier.onnx');
    await saveModel(exported, exportInference(model.eval, new Map(Object.entries(resumed))));
    const session = await ort.InferenceSession.create(exported);
    try {
      const out = await session.run({ ids: new ort.Tensor('int64', batch.ids, [8, 6]) });
      const plain = out.logits.data as Float32Array;
      plain.forEach((v, i) => {
        assert.ok(
          Math.abs(v - logits[i]) <= 1e-6 * Math.max(1, Math.abs(v)),
          `logit ${i}: ${v} vs ${logits[i]}`,
        );
      });
    } finally {
      await session.release();
    }
  } finally {
    await trainer.release();
  }
});
