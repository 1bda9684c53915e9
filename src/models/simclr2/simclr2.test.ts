import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openWorkspace } from '../../workspace/workspace.ts';
import { resolveConfig } from '../simclr/config.ts';
import { trainSimclr } from '../simclr/train.ts';
import { barsCsv, importImages } from '../vision/fixtures.ts';
import { resolveFinetuneConfig } from './config.ts';
import { trainFinetune } from './finetune.ts';
import { labelledFraction } from './label-fraction.ts';

function scratch(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'simclr2-test-'));
  const workspace = openWorkspace(join(dir, 'workspace.sqlite'));
  t.after(() => {
    workspace.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, workspace };
}

test('the labelled fraction keeps the same share of each class, at least one, the same for a seed', () => {
  // 3 classes of 40, 20 and 10 training images
  const labels = Int32Array.from({ length: 70 }, (_, i) => (i < 40 ? 0 : i < 60 ? 1 : 2));
  const train = Int32Array.from({ length: 70 }, (_, i) => i);
  const perClass = (kept: Int32Array) => [0, 1, 2].map((c) => kept.filter((i) => labels[i] === c).length);
  assert.deepEqual(perClass(labelledFraction(labels, train, 0.1, 1)), [4, 2, 1]);
  assert.deepEqual(perClass(labelledFraction(labels, train, 0.01, 1)), [1, 1, 1]);
  assert.deepEqual(perClass(labelledFraction(labels, train, 1, 1)), [40, 20, 10]);
  assert.deepEqual(labelledFraction(labels, train, 0.5, 3), labelledFraction(labels, train, 0.5, 3));
  assert.notDeepEqual(labelledFraction(labels, train, 0.5, 3), labelledFraction(labels, train, 0.5, 4));
  assert.throws(() => labelledFraction(labels, train, 0, 1), /fraction 0 is outside/);
});

test('fine-tuning a SimCLR v2 run (3-layer head) on 10 % of the labels learns; from scratch takes no pretrained parameter', async (t) => {
  const { dir, workspace } = scratch(t);
  await importImages(workspace, 'bars', barsCsv(dir, { perClass: 40 }));
  const simclr = await trainSimclr(workspace, {
    dataset: 'bars',
    config: resolveConfig('quick', { epochs: 3, batch_size: 32, head_layers: 3 }),
    device: 'cpu',
    threads: 1,
  });
  const config = resolveFinetuneConfig({ fraction: 0.1, epochs: 8, batch_size: 16 });
  const tuned = await trainFinetune(workspace, { from: simclr.run, config, device: 'cpu', threads: 1 });
  // 160 images: 32 test, 13 validation; 115 training, 10 % of each class
  assert.equal(
    tuned.data.labelled,
    tuned.data.labelled_per_class.reduce((a, b) => a + b, 0),
  );
  assert.ok(
    tuned.data.labelled_per_class.every((n) => n >= 2 && n <= 4),
    `${tuned.data.labelled_per_class}`,
  );
  // encoder and head layer 0 from the run: all but the classifier's weight and bias
  assert.ok(tuned.data.pretrained_parameters > 10, `${tuned.data.pretrained_parameters}`);
  assert.equal(workspace.runs.get(tuned.run)!.status, 'done');
  assert.equal(tuned.test.images, 32);
  assert.equal(
    tuned.test.confusion.flat().reduce((a, b) => a + b, 0),
    32,
  );
  // chance is 0.25; observed 0.5 (3 SimCLR epochs, 8 fine-tuning epochs on 12 labelled images, seed 1)
  assert.ok(tuned.top1 >= 0.4, `fine-tuned top-1 ${tuned.top1}`);
  const stored = workspace.embeddings.get(tuned.run)!;
  assert.equal(stored.entityIds.length, 160);
  assert.ok(stored.vectors.every(Number.isFinite));
  const baseline = await trainFinetune(workspace, {
    from: simclr.run,
    config: { ...config, init: 'scratch' },
    device: 'cpu',
    threads: 1,
  });
  assert.equal(baseline.data.pretrained_parameters, 0);
  assert.deepEqual(baseline.data.labelled_per_class, tuned.data.labelled_per_class);
  assert.ok(Number.isFinite(baseline.top1));
});
