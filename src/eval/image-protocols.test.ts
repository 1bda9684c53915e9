import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dispatch } from '../api/dispatcher.ts';
import { runImport } from '../ingest/registry.ts';
import { barsCsv, importImages } from '../models/vision/fixtures.ts';
import { loadImageSet } from '../models/vision/image-set.ts';
import { splitImages } from '../models/vision/splits.ts';
import { openWorkspace, type Workspace } from '../workspace/workspace.ts';
import { evaluateKnn, evaluateLinear } from './image-protocols.ts';
import { knnClassify } from './knn.ts';
import { linearProbe } from './linear-probe.ts';
import { seededRandom } from './random.ts';

function scratch(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'image-protocols-'));
  const path = join(dir, 'workspace.sqlite');
  const workspace = openWorkspace(path);
  t.after(() => {
    workspace.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, path, workspace };
}

/** `perClass` points around each class's own axis (well separated), or labels drawn at random. */
function clusters(classes: number, perClass: number, dim: number, seed: number, randomLabels = false) {
  const random = seededRandom(seed);
  const n = classes * perClass;
  const vectors = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = randomLabels ? Math.floor(random() * classes) : i % classes;
    for (let d = 0; d < dim; d++) vectors[i * dim + d] = random() - 0.5;
    if (!randomLabels) vectors[i * dim + (i % classes)] += 4;
  }
  return { vectors, labels };
}

const accuracy = (truth: Int32Array, predicted: Int32Array) =>
  truth.reduce((hits, t, i) => hits + (t === predicted[i] ? 1 : 0), 0) / truth.length;

test('weighted k-NN: a close neighbour outvotes two far ones at a small temperature, not at a large one', async () => {
  // memory: class 0 at angle 0, class 1 twice at 60 degrees; query at 20 degrees
  const at = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
  const memory = Float32Array.from([...at(0), ...at(60), ...at(60)]);
  const labels = Int32Array.of(0, 1, 1);
  const query = Float32Array.from(at(20));
  // similarities cos 20 = 0.940, cos 40 = 0.766: at τ 0.1, 1 vs 2 e^-1.74 = 0.35; at τ 10, 1 vs 1.97
  assert.deepEqual([...(await knnClassify(memory, labels, query, 2, 2, { k: 3, temperature: 0.1 }))], [0]);
  assert.deepEqual([...(await knnClassify(memory, labels, query, 2, 2, { k: 3, temperature: 10 }))], [1]);
  // k 1: only the closest votes; k beyond the memory uses all of it
  assert.deepEqual([...(await knnClassify(memory, labels, query, 2, 2, { k: 1, temperature: 10 }))], [0]);
  assert.deepEqual([...(await knnClassify(memory, labels, query, 2, 2, { k: 50, temperature: 10 }))], [1]);
});

test('k-NN and the linear probe: separated clusters give top-1 1, random labels about chance', async () => {
  const dim = 16;
  const classes = 5;
  const train = clusters(classes, 60, dim, 1);
  const validation = clusters(classes, 20, dim, 2);
  const test = clusters(classes, 40, dim, 3);
  const knn = await knnClassify(train.vectors, train.labels, test.vectors, dim, classes, {
    k: 20,
    temperature: 0.1,
  });
  assert.equal(accuracy(test.labels, knn), 1);
  const probe = linearProbe(train, validation, test, dim, classes);
  assert.equal(accuracy(test.labels, probe.predicted), 1);
  assert.equal(probe.validation_top1, 1);
  assert.equal(probe.grid.length, 8);
  // ties go to the strongest penalty that already separates the clusters
  assert.equal(probe.c, probe.grid.find((g) => g.validation_top1 === 1)!.c);

  const noise = { train: clusters(classes, 200, dim, 4, true), test: clusters(classes, 200, dim, 5, true) };
  const validationNoise = clusters(classes, 40, dim, 6, true);
  const chanceKnn = accuracy(
    noise.test.labels,
    await knnClassify(noise.train.vectors, noise.train.labels, noise.test.vectors, dim, classes, {
      k: 20,
      temperature: 0.1,
    }),
  );
  const chanceLinear = accuracy(
    noise.test.labels,
    linearProbe(noise.train, validationNoise, noise.test, dim, classes).predicted,
  );
  // chance is 0.2 over 1000 test points (a binomial standard deviation of 0.013)
  for (const top1 of [chanceKnn, chanceLinear]) assert.ok(top1 > 0.14 && top1 < 0.26, `top-1 ${top1}`);
  assert.throws(
    () => linearProbe(train, { vectors: new Float32Array(0), labels: new Int32Array(0) }, test, dim, classes),
    /chooses C on validation images/,
  );
});

/** An image run as a trainer leaves it: config with its split settings, done, every image embedded. */
async function imageRun(
  workspace: Workspace,
  model: string,
  represent: (label: number, random: () => number) => number[],
) {
  const dataset = workspace.datasets.require('bars');
  const set = await loadImageSet(workspace, 'bars', { channels: 1, height: 8, width: 8 });
  const settings = { test_fraction: 0.2, validation_fraction: 0.1, seed: 3 };
  const { stats } = splitImages(set, {
    testFraction: settings.test_fraction,
    validationFraction: settings.validation_fraction,
    seed: settings.seed,
  });
  const run = workspace.runs.create({
    datasetId: dataset.id,
    model,
    config: { ...settings, data: { split: stats, classes: set.classes } },
    seed: 3,
    device: 'cpu',
    codeVersion: 'test',
  });
  const random = seededRandom(run.id);
  const rows = Array.from(set.labels, (label) => represent(label, random));
  workspace.embeddings.put(run.id, {
    entityIds: set.entityIds,
    dim: rows[0].length,
    vectors: Float32Array.from(rows.flat()),
  });
  workspace.runs.setStatus(run.id, 'done');
  return { run: run.id, stats };
}

test("a run's representations on its own split: class-aligned ones give 1, random ones about chance; refusals", async (t) => {
  const { dir, path, workspace } = scratch(t);
  await importImages(workspace, 'bars', barsCsv(dir, { classes: 4, perClass: 50 }));
  const aligned = await imageRun(workspace, 'contrastive-pairs', (label, random) =>
    Array.from({ length: 8 }, (_, d) => (d === label ? 3 : 0) + random() - 0.5),
  );
  const linear = evaluateLinear(workspace, aligned.run);
  assert.equal(linear.top1, 1);
  assert.equal(linear.images, aligned.stats.test);
  assert.equal(linear.train, aligned.stats.train);
  assert.deepEqual(
    linear.confusion,
    [0, 1, 2, 3].map((c) => [0, 1, 2, 3].map((p) => (c === p ? 10 : 0))),
  );
  assert.deepEqual(linear.classes, ['0', '1', '2', '3']);
  const knn = await evaluateKnn(workspace, aligned.run);
  assert.equal(knn.top1, 1);
  // 140 training images: the small-set k
  assert.deepEqual([knn.k, knn.temperature, knn.protocol, knn.dim], [20, 0.1, 'knn', 8]);

  const noise = await imageRun(workspace, 'simclr', (_, random) =>
    Array.from({ length: 8 }, () => random() - 0.5),
  );
  // 40 test images, chance 0.25 (binomial standard deviation 0.07)
  for (const top1 of [
    evaluateLinear(workspace, noise.run).top1,
    (await evaluateKnn(workspace, noise.run, { k: 5 })).top1,
  ]) {
    assert.ok(top1 < 0.5, `top-1 ${top1}`);
  }

  // refusals: not done, no split settings, not an image dataset, through the API as 'refused'
  workspace.runs.setStatus(noise.run, 'cancelled');
  await assert.rejects(evaluateKnn(workspace, noise.run), /run 2 is cancelled, not done/);
  const dataset = workspace.datasets.require('bars');
  const bare = workspace.runs.create({
    datasetId: dataset.id,
    model: 'simclr',
    config: {},
    seed: 1,
    device: 'cpu',
    codeVersion: 'test',
  });
  workspace.runs.setStatus(bare.id, 'done');
  workspace.embeddings.put(bare.id, { entityIds: Int32Array.of(1), dim: 1, vectors: Float32Array.of(1) });
  assert.throws(
    () => evaluateLinear(workspace, bare.id),
    /does not record how its images were split \(test_fraction, validation_fraction, seed/,
  );
  writeFileSync(join(dir, 'log.csv'), 'user,item,timestamp\na,x,1\nb,y,2\n');
  await runImport(workspace, { kind: 'interactions', paths: [join(dir, 'log.csv')], name: 'log' });
  const other = workspace.runs.create({
    datasetId: workspace.datasets.require('log').id,
    model: 'bert4rec',
    config: {},
    seed: 1,
    device: 'cpu',
    codeVersion: 'test',
  });
  await assert.rejects(
    evaluateKnn(workspace, other.id),
    /bert4rec run on log, which holds interactions; the linear and k-NN protocols evaluate image representations/,
  );

  const viaApi = await dispatch('eval.knn', { run: aligned.run, k: 5 }, { workspace: path });
  assert.deepEqual([viaApi.top1, viaApi.k, viaApi.images], [1, 5, 40]);
  await assert.rejects(
    dispatch('eval.linear', { run: other.id }, { workspace: path }),
    (e: Error & { code?: string }) => e.code === 'refused' && /holds interactions/.test(e.message),
  );
});
