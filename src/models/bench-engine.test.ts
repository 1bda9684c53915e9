import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { engineBenchBatch, engineBenchSizes } from './bench-engine.ts';

const tiny = [
  'layers=1',
  'hidden=8',
  'heads=2',
  'length=12',
  'batch=3',
  'items=30',
  'masked=4',
  'steps=2',
  'warmup=1',
];

test('sizes: defaults are the issue-3 step; overrides are checked', () => {
  const sizes = engineBenchSizes();
  assert.deepEqual(
    [sizes.layers, sizes.hidden, sizes.heads, sizes.length, sizes.batch, sizes.items, sizes.masked],
    [2, 64, 2, 200, 64, 3700, 40],
  );
  assert.equal(engineBenchSizes(['batch=8', 'dropout=0.2']).batch, 8);
  assert.throws(() => engineBenchSizes(['width=3']), /key one of/);
  assert.throws(() => engineBenchSizes(['batch=2.5']), /non-negative integer/);
  assert.throws(() => engineBenchSizes(['masked=300']), /exceeds length/);
  assert.throws(() => engineBenchSizes(['heads=3']), /must divide hidden/);
});

test('batches: left padding, distinct masked real positions replaced by the mask token', () => {
  const sizes = engineBenchSizes(tiny);
  const {
    ids,
    masked_positions: positions,
    labels,
  } = engineBenchBatch(sizes, 0) as Record<string, BigInt64Array>;
  const mask = BigInt(sizes.items + 1);
  for (let b = 0; b < sizes.batch; b++) {
    const row = Array.from(ids.subarray(b * sizes.length, (b + 1) * sizes.length), Number);
    const firstReal = row.findIndex((v) => v !== 0);
    assert.ok(
      row.slice(firstReal).every((v) => v !== 0),
      'padding only at the start',
    );
    const picked = Array.from(positions.subarray(b * sizes.masked, (b + 1) * sizes.masked), Number);
    assert.equal(new Set(picked).size, sizes.masked);
    picked.forEach((flat, k) => {
      assert.equal(Math.floor(flat / sizes.length), b);
      assert.equal(ids[flat], mask);
      const label = Number(labels[b * sizes.masked + k]);
      assert.ok(label >= 1 && label <= sizes.items);
    });
  }
});

test('`constellation bench engine --json` trains a tiny step and prints the figures', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['src/cli/bin.mjs', 'bench', 'engine', ...tiny.flatMap((s) => ['--set', s]), '--json'],
    { cwd: new URL('../..', import.meta.url) },
  );
  const result = JSON.parse(stdout);
  for (const key of ['ms_per_step', 'steps_per_s', 'cpu_ms_per_step', 'threads', 'load_average']) {
    assert.ok(Number.isFinite(result[key]) && result[key] >= 0, `${key}: ${result[key]}`);
  }
  assert.equal(result.device, 'cpu');
  assert.ok(result.loss_first > 0 && Number.isFinite(result.loss_last));
  assert.equal(result.sizes.hidden, 8);
});
