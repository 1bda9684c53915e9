// The catalogue as the Training view uses it, through the dispatcher on a real workspace: ViT is
// offered for image datasets with a settings schema its presets satisfy, and a run reports
// images/s and an ETA, pauses with a checkpoint and resumes to the end.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dispatch } from '../api/dispatcher.ts';
import type { ApiError } from '../api/schema/errors.ts';
import type { TrainingProgress } from '../api/schema/train.ts';
import { barsCsv, importImages } from '../models/vision/fixtures.ts';
import { openWorkspace } from '../workspace/workspace.ts';

async function imagesWorkspace(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-catalog-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const workspace = join(dir, 'ws.constellation');
  const opened = openWorkspace(workspace);
  try {
    await importImages(opened, 'bars', barsCsv(dir, { perClass: 30 }));
  } finally {
    opened.close();
  }
  return workspace;
}

test('models.list offers ViT for images with a settings schema its presets satisfy', async () => {
  const { models } = await dispatch('models.list', {}, { workspace: ':unused' });
  const vit = models.find((m) => m.id === 'vit');
  assert.ok(vit, 'ViT is in the catalogue');
  assert.deepEqual(vit.datasetKinds, ['images']);
  assert.equal(vit.defaultPreset, 'quick');
  assert.equal(vit.resumable, true);
  const properties = vit.configSchema.properties as Record<string, { type?: string }>;
  assert.equal(properties.patch.type, 'integer');
  assert.equal(properties.flip.type, 'boolean');
  for (const preset of Object.values(vit.presets)) {
    assert.deepEqual(Object.keys(preset).sort(), Object.keys(properties).sort());
  }
});

test('a ViT run reports images/s and an ETA, pauses with a checkpoint and resumes to the end', async (t) => {
  const workspace = await imagesWorkspace(t);
  const events: TrainingProgress[] = [];
  // far more epochs than fit in the time limit: the run ends by the limit, 4 s of training in all,
  // and the pause at the first report lands well before it
  const config = { epochs: 200, batch_size: 8, patience: 200, time_limit_s: 4 };
  const first = await dispatch(
    'train.start',
    { dataset: 'bars', model: 'vit', config, device: 'cpu' },
    {
      workspace,
      onProgress(event) {
        events.push(event);
        if (event.phase === 'training' && event.run !== null) {
          void dispatch('train.pause', { run: event.run }, { workspace });
        }
      },
    },
  );
  assert.equal(first.status, 'paused');
  const training = events.filter((e) => e.phase === 'training');
  assert.ok(training.length > 0);
  for (const e of training) {
    assert.equal(e.run, first.run);
    assert.equal(e.throughput?.unit, 'images/s');
    assert.ok((e.throughput?.value ?? 0) > 0);
    assert.ok(typeof e.loss === 'number' && Number.isFinite(e.loss));
    assert.ok((e.etaSeconds ?? 0) > 0);
    assert.ok(e.fraction > 0 && e.fraction < 0.95, `fraction ${e.fraction}`);
  }
  let { runs } = await dispatch('runs.list', {}, { workspace });
  assert.equal(runs[0].status, 'paused');
  assert.equal(runs[0].resumable, true);

  const fractions: number[] = [];
  const resumed = await dispatch(
    'train.start',
    { dataset: 'bars', model: 'vit', device: 'cpu', resume: first.run },
    { workspace, onProgress: (e) => fractions.push(e.fraction) },
  );
  assert.equal(resumed.run, first.run);
  assert.equal(resumed.status, 'done');
  assert.ok(fractions.every((f, k) => k === 0 || f >= fractions[k - 1]));
  assert.ok(fractions.at(-1)! >= 0.96);
  ({ runs } = await dispatch('runs.list', {}, { workspace }));
  assert.equal(runs.length, 1);
  assert.equal(runs[0].status, 'done');
  assert.equal(runs[0].hasEmbeddings, true);
  const top1 = runs[0].metrics['test/top1'];
  assert.ok(typeof top1 === 'number' && top1 >= 0 && top1 <= 1);
  const { run } = await dispatch('runs.get', { run: first.run }, { workspace });
  assert.equal(run.config.time_limit_s, 4);
});

test('train.start names a wrong ViT preset and a bad setting before any thread starts', async (t) => {
  const workspace = await imagesWorkspace(t);
  await assert.rejects(
    dispatch('train.start', { dataset: 'bars', model: 'vit', preset: 'huge' }, { workspace }),
    (e: ApiError) =>
      e.code === 'invalid-input' &&
      /ViT has no preset "huge"; its presets are quick, fashion/.test(e.message),
  );
  await assert.rejects(
    dispatch(
      'train.start',
      { dataset: 'bars', model: 'vit', config: { hidden: 30, heads: 4 } },
      { workspace },
    ),
    (e: ApiError) => e.code === 'invalid-input' && /heads \(4\) must divide hidden/.test(e.message),
  );
});

test('models.list offers SimCLR and SimCLR v2 for images, v2 with the 3-layer projection head', async () => {
  const { models } = await dispatch('models.list', {}, { workspace: ':unused' });
  for (const [id, head] of [
    ['simclr', 2],
    ['simclr2', 3],
  ] as const) {
    const model = models.find((m) => m.id === id);
    assert.ok(model, `${id} is in the catalogue`);
    assert.deepEqual(model.datasetKinds, ['images']);
    assert.deepEqual(model.runModels, ['simclr']);
    assert.equal(model.resumable, true);
    const properties = model.configSchema.properties as Record<string, unknown>;
    for (const [name, preset] of Object.entries(model.presets)) {
      assert.deepEqual(Object.keys(preset).sort(), Object.keys(properties).sort(), `${id} ${name}`);
      assert.equal(preset.head_layers, head, `${id} ${name}`);
    }
  }
});

test('a SimCLR v2 run from the catalogue fills its progress bar from the examples trained and stores its encoder', async (t) => {
  const workspace = await imagesWorkspace(t);
  const events: TrainingProgress[] = [];
  const done = await dispatch(
    'train.start',
    { dataset: 'bars', model: 'simclr2', config: { epochs: 3, batch_size: 16 }, device: 'cpu' },
    { workspace, onProgress: (e) => events.push(e) },
  );
  assert.equal(done.status, 'done');
  const training = events.filter((e) => e.phase === 'training');
  assert.ok(training.length > 0, 'training reported');
  for (const e of training) {
    assert.equal(e.throughput?.unit, 'images/s');
    assert.ok(e.fraction > 0.03 && e.fraction <= 0.95 + 1e-9, `fraction ${e.fraction}`);
  }
  const fractions = events.map((e) => e.fraction);
  assert.ok(
    fractions.every((f, k) => k === 0 || f >= fractions[k - 1]),
    'the bar never goes back',
  );
  assert.ok(fractions.at(-1)! >= 0.96);
  const { run } = await dispatch('runs.get', { run: done.run }, { workspace });
  assert.equal(run.model, 'simclr');
  assert.equal(run.config.head_layers, 3);
  assert.equal(run.config.epochs, 3);
  const { runs } = await dispatch('runs.list', {}, { workspace });
  assert.equal(runs[0].hasEmbeddings, true);
});
