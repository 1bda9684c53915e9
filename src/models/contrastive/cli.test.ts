// The contrastive-pairs run and the image protocols through the real command line: train on a
// generated image set, then eval RUN --protocol knn | linear; a run that cannot be evaluated
// answers a JSON error.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, oneJson, tempDir } from '../../cli/spawn-cli.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { barsCsv, importImages } from '../vision/fixtures.ts';

test('train contrastive-pairs --json, then eval RUN --protocol knn | linear --json', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'workspace.constellation');
  const workspace = openWorkspace(path);
  await importImages(workspace, 'bars', barsCsv(dir, { perClass: 30 }));
  workspace.close();
  const common = ['--workspace', path, '--json'];
  const trained = await cli([
    'train',
    'contrastive-pairs',
    '--dataset',
    'bars',
    '--set',
    'epochs=3',
    '--set',
    'width=8',
    '--threads',
    '1',
    ...common,
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const run = oneJson(trained);
  assert.equal(run.model, 'contrastive-pairs');
  const knn = await cli(['eval', String(run.run), '--protocol', 'knn', ...common]);
  assert.equal(knn.code, 0, knn.stderr);
  const knnFigures = oneJson(knn);
  // the run's own split and k: the same test images and votes as its training's final k-NN
  assert.equal(knnFigures.top1, run.test_knn_top1);
  assert.equal(knnFigures.k, 20);
  const linear = await cli(['eval', String(run.run), '--protocol', 'linear', ...common]);
  assert.equal(linear.code, 0, linear.stderr);
  const linearFigures = oneJson(linear);
  assert.equal(linearFigures.images, (run.data as { split: { test: number } }).split.test);
  assert.equal((linearFigures.grid as unknown[]).length, 8);
  assert.ok(typeof linearFigures.top1 === 'number');

  const missing = await cli(['eval', '99', '--protocol', 'knn', ...common]);
  assert.notEqual(missing.code, 0);
  assert.match(JSON.stringify(oneJson(missing)), /no run with id 99/);
});
