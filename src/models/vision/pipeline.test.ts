import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { idxBytes } from '../../ingest/media/media-fixtures.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { epochOrder, imageBatch, noLabel, trainingBatches } from './batches.ts';
import { barsCsv, importImages } from './fixtures.ts';
import { channelStats, commonShape, type ImageSet, loadImageSet } from './image-set.ts';
import { splitImages } from './splits.ts';

function scratch(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'vision-test-'));
  const workspace = openWorkspace(join(dir, 'workspace.sqlite'));
  t.after(() => {
    workspace.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, workspace };
}

/** A flat image of one value (RGB or greyscale) as PNG. */
function flatPng(width: number, height: number, channels: 1 | 3, value: number): Promise<Buffer> {
  const image = sharp(Buffer.alloc(width * height * channels, value), { raw: { width, height, channels } });
  return (channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer();
}

test('mixed sizes and greyscale/RGB are brought to the run shape, counted, and stored C x H x W', async (t) => {
  const { dir, workspace } = scratch(t);
  const root = join(dir, 'photos');
  for (const label of ['cat', 'dog']) mkdirSync(join(root, label), { recursive: true });
  writeFileSync(join(root, 'cat', 'a.png'), await flatPng(4, 4, 3, 200));
  writeFileSync(join(root, 'cat', 'b.png'), await flatPng(4, 4, 3, 100));
  writeFileSync(join(root, 'dog', 'c.png'), await flatPng(8, 6, 1, 50));
  await importImages(workspace, 'photos', root, 'folder');
  const common = commonShape(workspace, 'photos');
  assert.deepEqual(common, { channels: 3, height: 4, width: 4, sizes: 2 });
  const set = await loadImageSet(workspace, 'photos', { channels: 3, height: 4, width: 4 });
  assert.equal(set.count, 3);
  assert.equal(set.resized, 1);
  assert.equal(set.converted, 1);
  assert.deepEqual(set.classes, ['cat', 'dog']);
  assert.deepEqual(Array.from(set.labels), [0, 0, 1]);
  assert.equal(set.pixels.length, 3 * 3 * 16);
  // a flat image stays flat through resizing and the grey-to-RGB conversion
  assert.ok(set.pixels.subarray(0, 48).every((v) => v === 200));
  assert.ok(set.pixels.subarray(96, 144).every((v) => v === 50));
  const grey = await loadImageSet(workspace, 'photos', { channels: 1, height: 2, width: 2 });
  assert.equal(grey.pixels.length, 3 * 4);
  assert.equal(grey.converted, 2);
  const stats = channelStats(set, [0, 1]);
  assert.deepEqual(
    stats.mean.map((m) => Math.round(m * 255)),
    [150, 150, 150],
  );
  assert.deepEqual(
    stats.std.map((s) => Math.round(s * 255)),
    [50, 50, 50],
  );
});

/** An in-memory set of n 2x2 greyscale images whose pixels are their index, labels as given. */
function tinySet(labels: number[], sourceSplit?: (string | null)[]): ImageSet {
  const n = labels.length;
  return {
    count: n,
    channels: 1,
    height: 2,
    width: 2,
    pixels: Uint8Array.from({ length: n * 4 }, (_, i) => Math.floor(i / 4)),
    labels: Int32Array.from(labels),
    classes: [...new Set(labels.filter((l) => l >= 0))].sort().map(String),
    entityIds: Int32Array.from({ length: n }, (_, i) => i + 1),
    sourceSplit: sourceSplit ?? new Array(n).fill(null),
    resized: 0,
    converted: 0,
  };
}

test('stratified split: seeded, per class, a one-image class kept for training, unlabelled left out', () => {
  const labels = [...new Array(50).fill(0), ...new Array(30).fill(1), 2, -1, -1];
  const set = tinySet(labels);
  const { split, stats } = splitImages(set, { testFraction: 0.2, validationFraction: 0.1, seed: 3 });
  assert.deepEqual(stats, {
    train: 59,
    validation: 6,
    test: 16,
    test_from: 'stratified',
    unlabelled: 2,
    classes: 3,
  });
  const count = (part: Int32Array, c: number) => Array.from(part).filter((i) => set.labels[i] === c).length;
  assert.equal(count(split.test, 0), 10);
  assert.equal(count(split.test, 1), 6);
  assert.equal(count(split.train, 2), 1, 'the only image of class 2 trains');
  const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
  assert.deepEqual(all, [...Array(81).keys()], 'each labelled image in exactly one part');
  const again = splitImages(set, { testFraction: 0.2, validationFraction: 0.1, seed: 3 });
  assert.deepEqual(Array.from(again.split.test), Array.from(split.test));
  const other = splitImages(set, { testFraction: 0.2, validationFraction: 0.1, seed: 4 });
  assert.notDeepEqual(Array.from(other.split.test), Array.from(split.test));
});

test("a dataset's own test split is kept; validation comes from its training images", async (t) => {
  const { dir, workspace } = scratch(t);
  const write = (name: string, dims: number[], data: Uint8Array) =>
    writeFileSync(join(dir, name), idxBytes(dims, data));
  write(
    'train-images-idx3-ubyte',
    [20, 2, 2],
    Uint8Array.from({ length: 80 }, (_, i) => i),
  );
  write(
    'train-labels-idx1-ubyte',
    [20],
    Uint8Array.from({ length: 20 }, (_, i) => i % 2),
  );
  write('t10k-images-idx3-ubyte', [6, 2, 2], new Uint8Array(24).fill(7));
  write('t10k-labels-idx1-ubyte', [6], Uint8Array.from([0, 1, 0, 1, 0, 1]));
  await importImages(workspace, 'mnist-like', dir, 'idx');
  const set = await loadImageSet(workspace, 'mnist-like', { channels: 1, height: 2, width: 2 });
  assert.equal(set.resized, 0);
  assert.deepEqual(Array.from(set.pixels.subarray(4, 8)), [4, 5, 6, 7], 'raw bytes copied as they are');
  const { split, stats } = splitImages(set, { testFraction: 0.5, validationFraction: 0.2, seed: 1 });
  assert.equal(stats.test_from, 'dataset');
  assert.deepEqual(Array.from(split.test), [20, 21, 22, 23, 24, 25]);
  assert.equal(stats.validation, 4);
  assert.equal(stats.train, 16);
});

test('batches: seeded epoch order, blank filler rows labelled -1, a batch larger than the set', () => {
  const set = tinySet([0, 1, 0, 1, 0]);
  const train = Int32Array.from([0, 1, 2, 3, 4]);
  const order = epochOrder(train, 9, 0);
  assert.deepEqual(Array.from(order), Array.from(epochOrder(train, 9, 0)));
  assert.deepEqual(Array.from(order).sort(), [0, 1, 2, 3, 4]);
  const batches = [...trainingBatches(set, order, 3, { flip: false, shift: 0 }, 9, 0)];
  assert.deepEqual(
    batches.map((b) => [b.images, b.next]),
    [
      [3, 3],
      [2, 5],
    ],
  );
  const lastRows = batches[1].batch;
  assert.equal(lastRows.labels[2], BigInt(noLabel));
  assert.deepEqual(Array.from(lastRows.images.subarray(8, 12)), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(lastRows.images.subarray(0, 4)), new Array(4).fill(order[3]));
  // resuming from a cursor gives the same batch
  const resumed = trainingBatches(set, order, 3, { flip: false, shift: 0 }, 9, 0, 3).next().value!;
  assert.deepEqual(Array.from(resumed.batch.images), Array.from(lastRows.images));
  assert.equal(resumed.batch.seed[0], lastRows.seed[0]);
  const big = imageBatch(set, train, 8);
  assert.equal(big.images.length, 32);
  assert.deepEqual(Array.from(big.labels), [0n, 1n, 0n, 1n, 0n, -1n, -1n, -1n]);
});

test('flip and shift move pixels, deterministically per (seed, epoch, image)', async (t) => {
  const { dir, workspace } = scratch(t);
  await importImages(workspace, 'bars', barsCsv(dir, { classes: 2, perClass: 4 }));
  const set = await loadImageSet(workspace, 'bars', { channels: 1, height: 8, width: 8 });
  const order = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
  const plain = trainingBatches(set, order, 8, { flip: false, shift: 0 }, 1, 0).next().value!.batch.images;
  const moved = () =>
    trainingBatches(set, order, 8, { flip: true, shift: 2 }, 1, 0).next().value!.batch.images;
  const a = moved();
  assert.deepEqual(Array.from(a), Array.from(moved()));
  assert.notDeepEqual(Array.from(a), Array.from(plain));
  // a mirror or shift keeps every pixel's value within the image's own values or black
  for (let r = 0; r < 8; r++) {
    const own = new Set<number>(plain.subarray(r * 64, (r + 1) * 64));
    assert.ok(a.subarray(r * 64, (r + 1) * 64).every((v: number) => v === 0 || own.has(v)));
  }
});
