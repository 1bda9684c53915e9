import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ZodError } from 'zod';
import { evaluateKnn } from '../../eval/image-protocols.ts';
import { cancelAtFirstStep } from '../../testing/cancel.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { epochOrder } from '../vision/batches.ts';
import { barsCsv, importImages } from '../vision/fixtures.ts';
import { loadImageSet } from '../vision/image-set.ts';
import { splitImages } from '../vision/splits.ts';
import { resolveConfig } from './config.ts';
import { PairSampler } from './pairs.ts';
import { trainContrastivePairs } from './train.ts';

function scratch(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'contrastive-test-'));
  const workspace = openWorkspace(join(dir, 'workspace.sqlite'));
  t.after(() => {
    workspace.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, workspace };
}

test('pairs: balanced, similar within a class, dissimilar across, the same for the same seed', async (t) => {
  const { dir, workspace } = scratch(t);
  await importImages(workspace, 'bars', barsCsv(dir, { classes: 3, perClass: 10 }));
  const set = await loadImageSet(workspace, 'bars', { channels: 1, height: 8, width: 8 });
  const train = Int32Array.from({ length: 30 }, (_, i) => i);
  const sampler = new PairSampler(set, train, 7);
  const order = epochOrder(train, 7, 0);
  const pairs = Array.from({ length: 30 }, (_, p) => sampler.pair(order, 0, p));
  assert.equal(pairs.filter((p) => p.dissimilar === 1).length, 15);
  for (const p of pairs) {
    const same = set.labels[p.first] === set.labels[p.second];
    assert.equal(same, p.dissimilar === 0);
    if (p.dissimilar === 0) assert.notEqual(p.first, p.second);
  }
  assert.deepEqual(new Set(pairs.map((p) => p.first)).size, 30);
  assert.deepEqual(
    Array.from({ length: 30 }, (_, p) => new PairSampler(set, train, 7).pair(order, 0, p)),
    pairs,
  );
  assert.notDeepEqual(
    Array.from({ length: 30 }, (_, p) => sampler.pair(epochOrder(train, 7, 1), 1, p)),
    pairs,
  );
  assert.throws(
    () => new PairSampler(set, Int32Array.of(0, 3, 6), 1),
    /need training images of at least 2 classes, found 1/,
  );
  assert.throws(
    () => resolveConfig('quick', { margin: -1 }),
    (e) => e instanceof ZodError && /margin/.test(e.message),
  );
});

test('a Siamese ResNet encoder on generated bars: loss falls, similar pairs end closer than dissimilar ones; cancel and resume', async (t) => {
  const { dir, workspace } = scratch(t);
  await importImages(workspace, 'bars', barsCsv(dir));
  const config = resolveConfig('quick', { epochs: 8, batch_size: 32, width: 8, dim: 16, patience: 8 });
  await assert.rejects(
    trainContrastivePairs(workspace, {
      dataset: 'bars',
      config,
      device: 'cpu',
      threads: 1,
      ...cancelAtFirstStep(),
    }),
    /cancelled at step 1; a checkpoint was kept \(resume it with --resume 1\)/,
  );
  assert.equal(workspace.runs.get(1)!.status, 'cancelled');
  const result = await trainContrastivePairs(workspace, {
    dataset: 'bars',
    config,
    device: 'cpu',
    threads: 1,
    resume: 1,
  });
  assert.equal(result.run, 1);
  assert.equal(workspace.runs.get(1)!.status, 'done');
  // 172 training images in steps of 32 pairs: 6 steps an epoch
  assert.equal(result.steps, 48);
  const losses = workspace.runs.metrics(1)['train/epoch_loss'].values;
  assert.equal(losses.length, 8);
  assert.ok(losses.at(-1)! < losses[0] / 2, `epoch losses ${losses.join(', ')}`);
  // the bars are separable; chance is 0.25
  assert.ok(result.test_knn_top1 >= 0.9, `test k-NN top-1 ${result.test_knn_top1}`);

  const stored = workspace.embeddings.get(1)!;
  assert.equal(stored.entityIds.length, 240);
  assert.equal(stored.dim, 16);
  const set = await loadImageSet(workspace, 'bars', { channels: 1, height: 8, width: 8 });
  const { split } = splitImages(set, { testFraction: 0.2, validationFraction: 0.1, seed: config.seed });
  const row = new Map(Array.from(stored.entityIds, (id, r) => [id, r]));
  const distance = (i: number, j: number) => {
    const [a, b] = [row.get(set.entityIds[i])!, row.get(set.entityIds[j])!];
    let s = 0;
    for (let d = 0; d < 16; d++) s += (stored.vectors[a * 16 + d] - stored.vectors[b * 16 + d]) ** 2;
    return Math.sqrt(s);
  };
  const sums = { similar: [0, 0], dissimilar: [0, 0] };
  for (const i of split.test) {
    for (const j of split.test) {
      if (i >= j) continue;
      const kind = set.labels[i] === set.labels[j] ? sums.similar : sums.dissimilar;
      kind[0] += distance(i, j);
      kind[1]++;
    }
  }
  const similar = sums.similar[0] / sums.similar[1];
  const dissimilar = sums.dissimilar[0] / sums.dissimilar[1];
  assert.ok(similar < dissimilar / 2, `mean test distances: similar ${similar}, dissimilar ${dissimilar}`);
  // the run's split as the evaluation protocols recompute it
  assert.deepEqual((workspace.runs.get(1)!.config as { encoder: string }).encoder, 'resnet');
  const knn = await evaluateKnn(workspace, 1);
  assert.equal(knn.top1, result.test_knn_top1);
  assert.equal(knn.model, 'contrastive-pairs');
});

test('the MLP encoder learns the bars too', async (t) => {
  const { dir, workspace } = scratch(t);
  await importImages(workspace, 'bars', barsCsv(dir));
  const result = await trainContrastivePairs(workspace, {
    dataset: 'bars',
    config: resolveConfig('quick', { encoder: 'mlp', hidden: 64, epochs: 6, batch_size: 32, dim: 16 }),
    device: 'cpu',
    threads: 1,
  });
  assert.ok(result.test_knn_top1 >= 0.9, `test k-NN top-1 ${result.test_knn_top1}`);
});
