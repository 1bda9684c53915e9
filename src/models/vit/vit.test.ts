import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ZodError } from 'zod';
import { dispatch } from '../../api/dispatcher.ts';
import { readCheckpoint, writeCheckpoint } from '../../onnx/runtime/checkpoint.ts';
import { cancelAtFirstStep } from '../../testing/cancel.ts';
import { sharedDataset } from '../../testing/shared-datasets.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { lastCheckpoint, runDirectory } from '../run-directory.ts';
import { barsCsv, importImages } from '../vision/fixtures.ts';
import { checkSettings, patchSize, presets, resolveConfig, type VitConfig } from './config.ts';
import { trainProgram } from './model.ts';
import { evaluateSupervised } from './stored-run.ts';
import { shapeOf, trainVit, type VitData } from './train.ts';

function scratch(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'vit-test-'));
  const path = join(dir, 'workspace.sqlite');
  const workspace = openWorkspace(path);
  t.after(() => {
    workspace.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, path, workspace };
}

test('settings: presets, overrides checked, patch size adapting to the image size', () => {
  assert.equal(resolveConfig('fashion').hidden, 64);
  assert.equal(resolveConfig('quick', { hidden: 48, heads: 3 }).hidden, 48);
  assert.throws(() => resolveConfig('quick', { hidden: 30, heads: 4 }), /heads \(4\) must divide hidden/);
  assert.throws(
    () => resolveConfig('quick', { hiden: 3 }),
    (e) => e instanceof ZodError && /unknown setting/.test(e.message),
  );
  const quick = resolveConfig('quick');
  assert.deepEqual(
    [28, 8, 32, 224, 7].map((side) => patchSize(quick, side)),
    [4, 2, 8, 32, 1],
  );
  assert.equal(patchSize({ ...quick, patch: 7 }, 28), 7);
  assert.throws(() => patchSize({ ...quick, patch: 5 }, 28), /patch 5 does not tile 28 x 28/);
});

test('the default preset adapts to the image side: quick for digits, fashion for 28 x 28 and larger', () => {
  assert.deepEqual(resolveConfig('default', {}, 8), presets.quick);
  assert.deepEqual(resolveConfig('default', {}, 28), presets.fashion);
  assert.deepEqual(resolveConfig('default', {}, 96), presets.fashion);
  // the side the model reads decides: an image_size override replaces the dataset's
  assert.equal(resolveConfig('default', { image_size: 8 }, 28).hidden, presets.quick.hidden);
  assert.equal(resolveConfig('default', { epochs: 3 }, 28).epochs, 3);
  assert.throws(() => resolveConfig('default'), /needs the side of the images/);
  // before the images are known, overrides must suit every preset default may pick
  checkSettings('default', { hidden: 48, heads: 4 });
  assert.throws(() => checkSettings('default', { heads: 3 }), /heads \(3\) must divide hidden/);
});

test('trained with the default preset, a run stores the settings resolved for its images', async (t) => {
  const { dir, workspace } = scratch(t);
  await importImages(workspace, 'few', barsCsv(dir, { classes: 2, perClass: 5 }));
  const result = await trainVit(workspace, {
    dataset: 'few',
    config: { preset: 'default', overrides: { epochs: 1 } },
    device: 'cpu',
    threads: 1,
  });
  const stored = workspace.runs.get(result.run)!.config as unknown as VitConfig;
  assert.deepEqual({ ...stored, data: undefined }, { ...presets.quick, epochs: 1, data: undefined });
});

test('quick ViT learns generated bars: test top-1, confusion, metrics, every image embedded; eval agrees', async (t) => {
  const { dir, workspace } = scratch(t);
  await importImages(workspace, 'bars', barsCsv(dir));
  const result = await trainVit(workspace, {
    dataset: 'bars',
    config: resolveConfig('quick', { epochs: 20, batch_size: 16, patience: 20 }),
    device: 'cpu',
    threads: 1,
  });
  assert.equal(result.data.patch, 2);
  assert.equal(result.data.image_size, 8);
  assert.deepEqual(result.data.split, {
    train: 172,
    validation: 20,
    test: 48,
    test_from: 'stratified',
    unlabelled: 0,
    classes: 4,
  });
  // the bars are separable; chance is 0.25 (observed 1.0 at 20 epochs)
  assert.ok(result.test.top1 >= 0.9, `top-1 ${result.test.top1}`);
  assert.equal(
    result.test.confusion.flat().reduce((a, b) => a + b, 0),
    48,
  );
  const stored = workspace.embeddings.get(result.run)!;
  assert.equal(stored.entityIds.length, 240);
  assert.equal(stored.dim, 32);
  assert.ok(stored.vectors.every(Number.isFinite));
  const metrics = workspace.runs.metrics(result.run);
  assert.equal(metrics['val/top1'].values.length, 20);
  assert.equal(workspace.runs.get(result.run)!.status, 'done');
  const again = await evaluateSupervised(workspace, result.run, { threads: 1 });
  assert.equal(again.top1, result.test.top1);
  assert.deepEqual(again.confusion, result.test.confusion);
});

test('a batch larger than the training set trains on one filler-padded batch per epoch', async (t) => {
  const { dir, workspace } = scratch(t);
  await importImages(workspace, 'few', barsCsv(dir, { classes: 2, perClass: 5 }));
  const result = await trainVit(workspace, {
    dataset: 'few',
    config: resolveConfig('quick', { epochs: 2, batch_size: 512 }),
    device: 'cpu',
    threads: 1,
  });
  // 10 images: 2 held out for testing, none of 4 per class is 10 % for validation
  assert.deepEqual([result.data.split.train, result.data.split.validation], [8, 0]);
  assert.equal(result.data.batch, 8);
  assert.equal(result.steps, 2);
  const metrics = workspace.runs.metrics(result.run);
  assert.ok(metrics['train/epoch_loss'].values.every(Number.isFinite));
  // nothing to validate on: no validation top-1 is stored, and the last epoch is kept
  assert.equal(metrics['val/top1'], undefined);
  assert.equal(result.best_epoch, 1);
});

test('cancel keeps a checkpoint; an exploding update stops the resumed run with a clear message and leaves that checkpoint', async (t) => {
  const { dir, workspace } = scratch(t);
  await importImages(workspace, 'bars', barsCsv(dir));
  const config = resolveConfig('quick', { epochs: 3, batch_size: 16 });
  await assert.rejects(
    trainVit(workspace, {
      dataset: 'bars',
      config,
      device: 'cpu',
      threads: 1,
      ...cancelAtFirstStep(),
    }),
    /cancelled at step 1; a checkpoint was kept \(resume it with --resume 1\)/,
  );
  assert.equal(workspace.runs.get(1)!.status, 'cancelled');
  const cancelledAfter = workspace.runs.get(1)!.seconds;
  assert.ok(cancelledAfter > 0, 'a cancelled run keeps the time it trained');
  // Adam's first moments at 1e30 with second moments at 0: the next update sends the parameters to
  // infinity, as an exploding gradient would
  const run = workspace.runs.get(1)!;
  const { data, ...stored } = run.config as unknown as VitConfig & { data: VitData };
  const program = trainProgram(stored, shapeOf(data), data.normalisation, data.batch, 100);
  const file = lastCheckpoint(runDirectory(workspace.path, 1));
  const checkpoint = await readCheckpoint(file, program);
  for (const [name, values] of Object.entries(checkpoint.state)) {
    if (name.endsWith('/m')) (values as Float32Array).fill(1e30);
    if (name.endsWith('/v')) (values as Float32Array).fill(0);
  }
  await writeCheckpoint(file, program, checkpoint);
  const before = readFileSync(file);
  await assert.rejects(
    trainVit(workspace, { dataset: 'bars', config, device: 'cpu', threads: 1, resume: 1 }),
    /training diverged: loss NaN at step 3 \(epoch 0\); the last good checkpoint \(step 1\) is kept in .*last\.safetensors; lower lr/,
  );
  assert.equal(workspace.runs.get(1)!.status, 'failed');
  assert.ok(workspace.runs.get(1)!.seconds > cancelledAfter, 'the resumed segment adds its time');
  assert.deepEqual(readFileSync(file), before, 'the checkpoint is left as it was');
});

test('through the API: train.vit refuses bad settings; eval.supervised refuses a run that is not done', async (t) => {
  const { path } = scratch(t);
  await assert.rejects(
    dispatch('train.vit', { dataset: 'x', settings: { hidden: 'wide' } }, { workspace: path }),
    (e: Error & { code?: string }) => e.code === 'invalid-input',
  );
  await assert.rejects(
    dispatch('eval.supervised', { run: 5 }, { workspace: path }),
    (e: Error & { code?: string }) => e.code === 'refused' && /no run 5/.test(e.message),
  );
});

test('quick ViT on scikit-learn digits is far above chance', async (t) => {
  const path = sharedDataset(t, 'sklearn-digits');
  if (!path) return;
  const { workspace } = scratch(t);
  await importImages(workspace, 'digits', join(path, 'digits.csv.gz'));
  const result = await trainVit(workspace, {
    dataset: 'digits',
    config: resolveConfig('quick'),
    device: 'cpu',
    threads: 1,
  });
  // chance is 0.1; observed 0.897 (15 epochs, 359 test images, seed 1)
  assert.ok(result.test.top1 >= 0.8, `top-1 ${result.test.top1}`);
  assert.equal(result.data.split.test_from, 'stratified');
  assert.equal(result.embeddings, 1797);
});
