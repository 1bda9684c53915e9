import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, oneJson } from '../../cli/spawn-cli.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { bestCheckpoint, runDirectory } from '../run-directory.ts';
import { benchModels, bestRuns, videoCost, withFrames } from './bench.ts';
import { resolveConfig, variantNames } from './config.ts';
import { generateMotionDataset } from './motion-dataset.ts';
import { trainVideo } from './train.ts';

test('FLOPs per clip: Model 1 grows by more than 2.8x from T = 16 to 32 (quadratic attention), every factorised encoder by under 2.3x', () => {
  // 2-D patches at d 32, so attention over the tokens is a large share of Model 1's cost
  const models = benchModels({}, { hidden: 32, layers: 2, heads: 4, tubelet: 1 });
  const at = (frames: number) =>
    Object.fromEntries(models.map((m) => [m.name, videoCost(withFrames(m, frames)!).flops]));
  const [t16, t32] = [at(16), at(32)];
  const growth = (v: string) => t32[v] / t16[v];
  assert.ok(growth('model1') > 2.8, `model1 x${growth('model1')}`);
  for (const v of ['model2', 'model3', 'model4', 'timesformer', 'mvit', 'frame-average']) {
    assert.ok(growth(v) < 2.3, `${v} x${growth(v)}`);
  }
  // at T = 32 joint attention costs the most, and the frame average no more than any encoder with time
  assert.equal(Math.max(...Object.values(t32)), t32.model1);
  assert.ok(t32['frame-average'] <= Math.min(t32.model2, t32.model3, t32.timesformer));
});

/** Parameter values in a checkpoint file, counted from its header alone (no program involved). */
function checkpointParameters(file: string): number {
  const bytes = readFileSync(file);
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
  return Object.entries(header)
    .filter(([key]) => key.startsWith('parameters/'))
    .reduce((n, [, entry]) => n + (entry as { shape: number[] }).shape.reduce((a, b) => a * b, 1), 0);
}

test("each variant's bench row is its trained run's program: its size, its parameters, its test top-1; bench video --workspace --dataset", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'video-bench-'));
  const path = join(dir, 'w.constellation');
  const workspace = openWorkspace(path);
  t.after(() => {
    workspace.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await generateMotionDataset(workspace, {
    name: 'motion',
    clips: 24,
    frames: 4,
    size: 16,
    lanes: 1,
    seed: 8,
  });
  const trained: Record<string, { run: number; top1: number }> = {};
  for (const variant of variantNames.filter((v) => v !== 'model2')) {
    const config = resolveConfig('quick', {
      variant,
      frames: 4,
      hidden: 16,
      heads: 2,
      layers: 2,
      epochs: 1,
      batch_size: 8,
      eval_batch: 16,
    });
    const result = await trainVideo(workspace, { dataset: 'motion', config, device: 'cpu', threads: 1 });
    trained[variant] = { run: result.run, top1: result.test.top1 };
  }
  const runs = bestRuns(workspace, 'motion');
  assert.equal(runs.model2, undefined);
  for (const [variant, { run, top1 }] of Object.entries(trained)) {
    const model = runs[variant as keyof typeof runs]!;
    assert.equal(model.run, run);
    assert.equal(model.accuracy, top1);
    assert.equal(model.shape.size, 16);
    assert.equal(model.config.hidden, 16);
    assert.equal(
      videoCost(model).params,
      checkpointParameters(bestCheckpoint(runDirectory(path, run))),
      `${variant}: the bench's parameters are the run's`,
    );
  }
  workspace.close();
  const out = await cli([
    'bench',
    'video',
    '--workspace',
    path,
    '--dataset',
    'motion',
    '--set',
    'hidden=16',
    '--set',
    'layers=1',
    '--set',
    'batch_size=4',
    '--set',
    'eval_batch=4',
    '--steps',
    '1',
    '--threads',
    '1',
    '--json',
  ]);
  assert.equal(out.code, 0, out.stderr);
  const result = oneJson(out) as {
    rows: Record<string, unknown>[];
    sweep: { name: string; frames: number; flops: number | null }[];
  };
  assert.deepEqual(
    result.rows.map((r) => r.name),
    [...variantNames],
  );
  for (const row of result.rows) {
    for (const key of ['params', 'flops', 'ms_per_step', 'clips_per_s', 'peak_mb'])
      assert.ok((row[key] as number) > 0, `${row.name} ${key}`);
    const mine = trained[row.name as string];
    assert.equal(row.run, mine?.run ?? null);
    assert.equal(row.accuracy, mine?.top1 ?? null);
  }
  // model2 has no run: the bench's defaults (motion preset, 32 x 32) with the --set overrides
  const model2 = result.rows.find((r) => r.name === 'model2')!;
  assert.deepEqual(model2.sizes, {
    frames: 8,
    image_size: 32,
    channels: 1,
    patch: 8,
    tubelet: 2,
    hidden: 16,
    layers: 1,
    heads: 4,
    batch: 4,
  });
  assert.deepEqual(
    result.sweep.filter((s) => s.name === 'model1').map((s) => s.frames),
    [4, 8, 16, 32],
  );
});
