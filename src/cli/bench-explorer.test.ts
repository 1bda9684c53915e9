// A smoke test of `constellation bench explorer`: it runs end to end on a small run in headless
// Chromium and prints its figures as JSON. The figures themselves are a benchmark's business.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { cli, oneJson } from './spawn-cli.ts';

const skip = existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')
  ? false
  : 'skipped: /usr/bin/chromium is absent (apt-get install chromium)';
// rebuilding the renderer is the e2e tests' work; the bench builds it only when there is none
const built = existsSync(new URL('../../renderer/dist/index.html', import.meta.url));

test('bench explorer --points 2000 --json prints both frame rates and finds the searched point', {
  skip,
}, async () => {
  const run = await cli([
    'bench',
    'explorer',
    '--points',
    '2000',
    '--seconds',
    '1.5',
    '--rounds',
    '1',
    '--search',
    '--json',
    ...(built ? ['--no-build'] : []),
  ]);
  assert.equal(run.code, 0, run.stderr);
  const result = oneJson(run) as {
    explorer_fps: number;
    bare_fps: number;
    ratio: number;
    points: number;
    search: { found: boolean };
  };
  for (const key of ['explorer_fps', 'bare_fps', 'ratio'] as const) {
    assert.ok(Number.isFinite(result[key]) && result[key] > 0, `${key}: ${result[key]}`);
  }
  assert.equal(result.points, 2000);
  assert.equal(result.search.found, true);
});

test('bench explorer refuses a point count that is not a positive whole number', async () => {
  const run = await cli(['bench', 'explorer', '--points', '1.5', '--json']);
  assert.equal(run.code, 2);
  assert.match(
    (oneJson(run).error as { message: string }).message,
    /--points expects a positive whole number, got "1.5"/,
  );
});
