// The ViT commands through the real command line: train on a generated image set, evaluate the run
// under the supervised protocol, and the benchmark's figures (smoke only: speed is the bench's business).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, oneJson } from '../../cli/spawn-cli.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { barsCsv, importImages } from '../vision/fixtures.ts';

test('train vit --json, then eval RUN --protocol supervised --json prints the same top-1 and confusion', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vit-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'workspace.constellation');
  const workspace = openWorkspace(path);
  await importImages(workspace, 'bars', barsCsv(dir, { perClass: 20 }));
  workspace.close();
  const common = ['--workspace', path, '--json'];
  const trained = await cli([
    'train',
    'vit',
    '--dataset',
    'bars',
    '--set',
    'epochs=2',
    '--threads',
    '1',
    ...common,
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const run = oneJson(trained);
  assert.equal(run.model, 'vit');
  const evaluated = await cli(['eval', String(run.run), '--protocol', 'supervised', ...common]);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const metrics = oneJson(evaluated);
  assert.equal(metrics.top1, (run.test as { top1: number }).top1);
  assert.deepEqual(metrics.confusion, (run.test as { confusion: number[][] }).confusion);
  assert.deepEqual(metrics.classes, ['0', '1', '2', '3']);
});

test('bench vit --json prints training and inference images per second', async () => {
  const run = await cli([
    'bench',
    'vit',
    '--preset',
    'quick',
    '--size',
    '8',
    '--steps',
    '1',
    '--warmup',
    '0',
    '--threads',
    '1',
    '--json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const result = oneJson(run);
  assert.equal(result.patch, 2);
  for (const key of [
    'train_images_per_s',
    'inference_images_per_s',
    'train_ms_per_step',
    'inference_ms_per_batch',
  ]) {
    assert.ok(typeof result[key] === 'number' && (result[key] as number) > 0, `${key}: ${result[key]}`);
  }
});
