// A smoke test of `constellation bench import`: it runs end to end and prints its figures as JSON.
// The figures themselves are a benchmark's business, never a test's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, oneJson } from './spawn-cli.ts';

test('bench import --rows 20000 --json prints one object of positive figures', async () => {
  const run = await cli(['bench', 'import', '--rows', '20000', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const result = oneJson(run);
  assert.deepEqual(Object.keys(result).sort(), [
    'file_bytes',
    'ratio',
    'rows',
    'rows_per_s',
    'seconds',
    'sqlite3_rows_per_s',
    'sqlite3_seconds',
  ]);
  assert.equal(result.rows, 20_000);
  for (const [key, value] of Object.entries(result)) {
    assert.ok(typeof value === 'number' && Number.isFinite(value) && value > 0, `${key}: ${value}`);
  }
});
