import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { ZodError } from 'zod';
import { dispatch } from '../../api/dispatcher.ts';
import { readCheckpoint, writeCheckpoint } from '../../onnx/runtime/checkpoint.ts';
import { cancelAtFirstStep } from '../../testing/cancel.ts';
import { sharedDataset } from '../../testing/shared-datasets.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { lastCheckpoint, runDirectory } from '../run-directory.ts';
import { barsCsv, importImages } from '../vision/fixtures.ts';
import { resnetStages, resolveConfig, type SimclrConfig } from './config.ts';
import { trainProgram } from './model.ts';
import { type SimclrData, shapeOf, trainSimclr } from './train.ts';

function scratch(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'simclr-test-'));
  const path = join(dir, 'workspace.sqlite');
  const workspace = openWorkspace(path);
  t.after(() => {
    workspace.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, path, workspace };
}

test('settings: presets, overrides checked, ResNet stages adapting to the image size', () => {
  assert.equal(resolveConfig('fashion').resnet_width, 32);
  assert.equal(resolveConfig('quick', { head_layers: 3 }).head_layers, 3);
  assert.throws(
    () => resolveConfig('quick', { batch_size: 64, micro_batch: 24 }),
    /micro_batch \(24\) must divide batch_size \(64\)/,
  );
  assert.throws(
    () => resolveConfig('quick', { temprature: 0.1 }),
    (e) => e instanceof ZodError && /unknown setting/.test(e.message),
  );
  const auto = resolveConfig('default');
  assert.deepEqual(
    [8, 28, 32, 96].map((side) => resnetStages(auto, side)),
    [2, 3, 4, 4],
  );
  assert.equal(resnetStages(resolveConfig('fashion'), 28), 3);
  // a stride-2 stem leaves half the side to the stages: 28 -> 14 holds 2 stages (14, 7), 32 -> 16 holds 3
  const strided = resolveConfig('default', { resnet_stem_stride: 2 });
  assert.deepEqual(
    [28, 32].map((side) => resnetStages(strided, side)),
    [2, 3],
  );
  assert.throws(() => resolveConfig('quick', { resnet_stem_stride: 3 }), ZodError);
});

test('SimCLR on generated bars: NT-Xent falls, h of every image stored, k-NN top-1 reported and matching eval.knn', async (t) => {
  const { dir, path, workspace } = scratch(t);
  await importImages(workspace, 'bars', barsCsv(dir));
  const result = await trainSimclr(workspace, {
    dataset: 'bars',
    config: resolveConfig('quick', { epochs: 6, batch_size: 32 }),
    device: 'cpu',
    threads: 1,
  });
  assert.deepEqual(
    [result.data.image_size, result.data.stages, result.data.representation_dim, result.data.batch],
    [8, 2, 16, 32],
  );
  assert.equal(result.data.train_images, 172);
  // 172 images in full batches of 32: 5 steps an epoch
  assert.equal(result.steps, 30);
  const metrics = workspace.runs.metrics(result.run);
  const losses = metrics['train/epoch_loss'].values;
  assert.ok(losses.every(Number.isFinite));
  // ln(63) = 4.14 is the loss of uniform similarities over 64 views; observed 3.92 -> 3.57 over 6 epochs
  assert.ok(losses.at(-1)! < losses[0] - 0.05, `epoch losses ${losses}`);
  assert.equal(metrics['val/knn_top1'].values.length, 6);
  const stored = workspace.embeddings.get(result.run)!;
  assert.equal(stored.entityIds.length, 240);
  assert.equal(stored.dim, 16);
  assert.equal(stored.vectors.length, 240 * 16);
  assert.ok(stored.vectors.every(Number.isFinite));
  // the bars are separable; chance is 0.25
  assert.ok(result.test_knn_top1 >= 0.9, `test k-NN top-1 ${result.test_knn_top1}`);
  assert.equal(workspace.runs.get(result.run)!.status, 'done');
  const knn = (await dispatch('eval.knn', { run: result.run }, { workspace: path })) as { top1: number };
  assert.equal(knn.top1, result.test_knn_top1);
});

test('a batch larger than the dataset trains on all of it each step; micro-batches accumulate into one update', async (t) => {
  const { dir, workspace } = scratch(t);
  await importImages(workspace, 'few', barsCsv(dir, { classes: 2, perClass: 5 }));
  const whole = await trainSimclr(workspace, {
    dataset: 'few',
    config: resolveConfig('quick', { epochs: 2, batch_size: 512 }),
    device: 'cpu',
    threads: 1,
  });
  // 10 images: 2 held out for testing, none of 4 per class is 10 % for validation
  assert.equal(whole.data.train_images, 8);
  assert.deepEqual([whole.data.batch, whole.data.accumulate, whole.steps], [8, 1, 2]);
  assert.ok(workspace.runs.metrics(whole.run)['train/epoch_loss'].values.every(Number.isFinite));
  const micro = await trainSimclr(workspace, {
    dataset: 'few',
    config: resolveConfig('quick', { epochs: 2, batch_size: 8, micro_batch: 4 }),
    device: 'cpu',
    threads: 1,
  });
  assert.deepEqual([micro.data.batch, micro.data.accumulate, micro.steps], [4, 2, 4]);
  assert.ok(workspace.runs.metrics(micro.run)['train/epoch_loss'].values.every(Number.isFinite));
});

test('cancel keeps a checkpoint and resume finishes the run; an exploding update stops a resumed run with a clear message and leaves its checkpoint', async (t) => {
  const { dir, path, workspace } = scratch(t);
  await importImages(workspace, 'bars', barsCsv(dir));
  const config = resolveConfig('quick', { epochs: 2, batch_size: 32 });
  const cancelled = async () => {
    await assert.rejects(
      trainSimclr(workspace, {
        dataset: 'bars',
        config,
        device: 'cpu',
        threads: 1,
        ...cancelAtFirstStep(),
      }),
      /cancelled at step 1; a checkpoint was kept \(resume it with --resume \d\)/,
    );
    return workspace.runs.list()[0].id; // newest first
  };
  const first = await cancelled();
  assert.equal(workspace.runs.get(first)!.status, 'cancelled');
  // as a run stored before resnet_stem_stride existed: it resumes with the setting's default
  const db = new Database(path);
  db.prepare("UPDATE runs SET config = json_remove(config, '$.resnet_stem_stride') WHERE id = ?").run(first);
  db.close();
  assert.equal('resnet_stem_stride' in workspace.runs.get(first)!.config, false);
  const resumed = await trainSimclr(workspace, {
    dataset: 'bars',
    config,
    device: 'cpu',
    threads: 1,
    resume: first,
  });
  assert.equal(resumed.run, first);
  assert.equal(resumed.steps, 10, 'the resumed run takes the steps the cancelled one left: 2 epochs of 5');
  assert.equal(workspace.runs.get(first)!.status, 'done');
  assert.equal(workspace.embeddings.get(first)!.entityIds.length, 240);

  // LARS momentum at infinity: the next update sends the parameters to infinity, as an exploding gradient would
  const second = await cancelled();
  const run = workspace.runs.get(second)!;
  const { data, ...stored } = run.config as unknown as SimclrConfig & { data: SimclrData };
  const program = trainProgram(stored, shapeOf(data), data.normalisation, data.batch, 100, data.accumulate);
  const file = lastCheckpoint(runDirectory(workspace.path, second));
  const checkpoint = await readCheckpoint(file, program);
  for (const [name, values] of Object.entries(checkpoint.state)) {
    if (name.endsWith('/momentum')) (values as Float32Array).fill(Number.POSITIVE_INFINITY);
  }
  await writeCheckpoint(file, program, checkpoint);
  const before = readFileSync(file);
  await assert.rejects(
    trainSimclr(workspace, { dataset: 'bars', config, device: 'cpu', threads: 1, resume: second }),
    /training diverged: loss NaN at step 3 \(epoch 0\); the last good checkpoint \(step 1\) is kept in .*last\.safetensors; lower lr/,
  );
  assert.equal(workspace.runs.get(second)!.status, 'failed');
  assert.deepEqual(readFileSync(file), before, 'the checkpoint is left as it was');
});

test('through the API: train.simclr refuses bad settings and a dataset with one image', async (t) => {
  const { dir, path, workspace } = scratch(t);
  await assert.rejects(
    dispatch('train.simclr', { dataset: 'x', settings: { head_layers: 'deep' } }, { workspace: path }),
    (e: Error & { code?: string }) => e.code === 'invalid-input',
  );
  await importImages(workspace, 'one', barsCsv(dir, { classes: 1, perClass: 1 }));
  await assert.rejects(
    dispatch('train.simclr', { dataset: 'one', settings: { test_fraction: 0 } }, { workspace: path }),
    (e: Error & { code?: string }) => e.code === 'refused' && /at least 2 training images/.test(e.message),
  );
});

test('quick SimCLR on scikit-learn digits: k-NN top-1 of h far above chance without labels', async (t) => {
  const path = sharedDataset(t, 'sklearn-digits');
  if (!path) return;
  const { workspace } = scratch(t);
  await importImages(workspace, 'digits', join(path, 'digits.csv.gz'));
  const result = await trainSimclr(workspace, {
    dataset: 'digits',
    config: resolveConfig('quick'),
    device: 'cpu',
    threads: 1,
  });
  // chance is 0.1; observed 0.894 (10 epochs, 359 test images, seed 1)
  assert.ok(result.test_knn_top1 >= 0.8, `k-NN top-1 ${result.test_knn_top1}`);
  assert.equal(result.embeddings, 1797);
});
