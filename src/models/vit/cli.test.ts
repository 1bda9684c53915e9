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

/** A workspace file holding 4 classes x 20 generated bar images as dataset 'bars'. */
async function barsWorkspace(t: { after: (fn: () => void) => void }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vit-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'workspace.constellation');
  const workspace = openWorkspace(path);
  await importImages(workspace, 'bars', barsCsv(dir, { perClass: 20 }));
  workspace.close();
  return path;
}

test('train vit --json, then eval RUN --protocol supervised --json prints the same top-1 and confusion', async (t) => {
  const path = await barsWorkspace(t);
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

test('SIGTERM mid-training (kill, timeout) cancels the run like Ctrl-C: marked cancelled, resumed to the end', async (t) => {
  const path = await barsWorkspace(t);
  const train = ['train', 'vit', '--dataset', 'bars', '--set', 'epochs=40', '--threads', '1'];
  const common = ['--workspace', path, '--json'];
  let terminated = false;
  const killed = await cli([...train, ...common, '--progress', 'json'], {
    onStderr: (chunk, child) => {
      if (!terminated && chunk.includes('"training"')) {
        terminated = true;
        child.kill('SIGTERM');
      }
    },
  });
  assert.ok(terminated, 'a training step was reported before the end');
  assert.equal(killed.code, 130, killed.stderr);
  assert.match(killed.stderr, /SIGTERM: cancelling/);
  assert.equal((oneJson(killed).error as { code: string }).code, 'cancelled');
  const reopened = openWorkspace(path);
  const [run] = reopened.runs.list();
  reopened.close();
  assert.equal(run.status, 'cancelled');

  const resumed = await cli([...train, '--resume', String(run.id), ...common]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(oneJson(resumed).run, run.id);
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
