import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sharedDataset } from '../../testing/shared-datasets.ts';
import { InputError } from '../types.ts';
import { digitsCsvImporter, readPixelRow } from './digits-csv.ts';
import { importFixture, tempDir } from './media-fixtures.ts';

test('pixels 0..16 are rescaled to 0..255 one-to-one', () => {
  const values = Array.from({ length: 17 }, (_, v) => String(v));
  const pixels = readPixelRow(values, 0, 17, 16, 'd.csv', 1);
  assert.equal(pixels[0], 0);
  assert.equal(pixels[16], 255);
  assert.equal(pixels[8], 128);
  assert.equal(new Set(pixels).size, 17);
  assert.deepEqual(
    Array.from(pixels, (p) => Math.round((p * 16) / 255)),
    values.map(Number),
  );
});

test('square pixel rows with a trailing label, header allowed, gzip or plain', async (t) => {
  const dir = tempDir(t);
  const plain = join(dir, 'small.csv');
  writeFileSync(plain, 'p0,p1,p2,p3,label\r\n0,16,8,4,7\r\n1,2,3,4,3\r\n16,16,16,16,7\r\n');
  const gz = join(dir, 'small.csv.gz');
  writeFileSync(gz, gzipSync('0,16,8,4,7\n1,2,3,4,3\n'));
  const { run } = importFixture(t);
  const a = await run(digitsCsvImporter, [plain]);
  assert.deepEqual(a.stats.entities, { image: 3 });
  assert.deepEqual(a.stats.classes, { '7': 2, '3': 1 });
  assert.deepEqual(a.stats.media, { count: 3, width: 2, height: 2, channels: 1, frames: 1 });
  const b = await run(digitsCsvImporter, [gz]);
  assert.deepEqual(b.stats.entities, { image: 2 });
});

test('bad rows name the file, line and column, and change nothing', async (t) => {
  const dir = tempDir(t);
  const { run, workspace } = importFixture(t);
  const cases: [string, RegExp][] = [
    ['0,1,2,3,5\n0,1,x,3,5\n', /bad\.csv:2 \(column 3\): expected an integer 0\.\.16, found "x"/],
    ['0,1,2,3,5\n0,1,17,3,5\n', /bad\.csv:2 \(column 3\): expected an integer 0\.\.16, found "17"/],
    ['0,1,2,3,5\n0,1,2,5\n', /bad\.csv:2: expected 5 fields like the first row, found 4/],
    ['0,1,2,5\n', /bad\.csv:1: 3 pixel values do not make a square image/],
    ['0,1,2,3,"5\n', /bad\.csv:\d+: .*quote/i],
    ['', /bad\.csv: holds no pixel rows/],
  ];
  for (const [text, expected] of cases) {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, text);
    await assert.rejects(run(digitsCsvImporter, [file]), (error: unknown) => {
      assert.ok(error instanceof InputError, String(error));
      assert.match(error.message, expected);
      return true;
    });
  }
  await assert.rejects(run(digitsCsvImporter, [dir]), /is a directory; expected a file/);
  const truncated = join(dir, 'cut.csv.gz');
  const whole = gzipSync(Array.from({ length: 500 }, (_, i) => `0,1,2,3,${i % 10}`).join('\n'));
  writeFileSync(truncated, whole.subarray(0, whole.length - 10));
  await assert.rejects(
    run(digitsCsvImporter, [truncated]),
    /cut\.csv\.gz: gzip data is truncated or corrupt/,
  );
  assert.deepEqual(workspace.datasets.list(), []);
});

test('scikit-learn digits: 1,797 8x8 images, per-class counts as SOURCE.md lists', async (t) => {
  const dir = sharedDataset(t, 'sklearn-digits');
  if (!dir) return;
  const { run, workspace } = importFixture(t);
  const file = join(dir, 'digits.csv.gz');
  const dataset = await run(digitsCsvImporter, [file]);
  const firstRow = gunzipSync(readFileSync(file)).toString().split('\n')[0].split(',').map(Number);
  const first = [...workspace.media.each(dataset.id)][0];
  assert.equal(first.key, '1');
  assert.deepEqual(
    Array.from(first.bytes),
    firstRow.slice(0, 64).map((v) => Math.round((v * 255) / 16)),
  );
  assert.equal(first.classLabel, String(firstRow[64]));
  assert.deepEqual(dataset.stats.entities, { image: 1797 });
  assert.deepEqual(dataset.stats.media, { count: 1797, width: 8, height: 8, channels: 1, frames: 1 });
  const counts = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];
  assert.deepEqual(dataset.stats.classes, Object.fromEntries(counts.map((n, digit) => [String(digit), n])));
});
