import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { dispatch } from '../../api/dispatcher.ts';
import { Random } from '../../demo/random.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { type Augmentation, augmentView, simclrAugmentation, viewPairs } from './augment.ts';
import { barsCsv, importImages } from './fixtures.ts';
import type { ImageSet, ImageShape } from './image-set.ts';

/** Nothing happens: full-image crop at its own ratio, every probability 0. */
const identity: Augmentation = {
  crop: { scale: [1, 1], ratio: [1, 1] },
  flip: 0,
  jitter: { probability: 0, brightness: 0, contrast: 0, saturation: 0, hue: 0 },
  greyscale: 0,
  blur: { probability: 0, sigma: [1, 1], kernel: 0.1 },
};

const grey8: ImageShape = { channels: 1, height: 8, width: 8 };
const rgb8: ImageShape = { channels: 3, height: 8, width: 8 };
const ramp = (shape: ImageShape) =>
  Uint8Array.from({ length: shape.channels * shape.height * shape.width }, (_, i) => (i * 37) % 256);

function view(source: Uint8Array, shape: ImageShape, augmentation: Augmentation, seed = 1): Uint8Array {
  const out = new Uint8Array(source.length);
  augmentView(source, shape, augmentation, new Random(seed), out);
  return out;
}

const variance = (x: Uint8Array) => {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  return x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
};

test('with every step off a view is the image; a flip is its exact mirror', () => {
  const image = ramp(rgb8);
  assert.deepEqual(view(image, rgb8, identity), image);
  const mirrored = view(image, rgb8, { ...identity, flip: 1 });
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++) assert.equal(mirrored[c * 64 + y * 8 + x], image[c * 64 + y * 8 + 7 - x]);
});

test('a crop of a quarter of the area enlarges one region; a flat image stays flat', () => {
  const image = ramp(grey8);
  const cropped = view(image, grey8, { ...identity, crop: { scale: [0.25, 0.25], ratio: [1, 1] } });
  assert.notDeepEqual(cropped, image);
  const flat = new Uint8Array(64).fill(90);
  assert.deepEqual(view(flat, grey8, { ...simclrAugmentation(), jitter: { ...identity.jitter } }), flat);
});

test('jitter on greyscale changes brightness and contrast only; greyscale makes channels equal', () => {
  const image = ramp(grey8);
  const jittered = view(image, grey8, {
    ...identity,
    jitter: { probability: 1, brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2 },
  });
  assert.notDeepEqual(jittered, image);
  const coloured = view(ramp(rgb8), rgb8, { ...identity, greyscale: 1 });
  assert.deepEqual(coloured.subarray(0, 64), coloured.subarray(64, 128));
  assert.deepEqual(coloured.subarray(0, 64), coloured.subarray(128, 192));
  // hue alone keeps each pixel's max and min channel values (a rotation of the colour wheel)
  const rgb = ramp(rgb8);
  const hued = view(rgb, rgb8, {
    ...identity,
    jitter: { probability: 1, brightness: 0, contrast: 0, saturation: 0, hue: 0.3 },
  });
  for (let p = 0; p < 64; p++) {
    const before = [rgb[p], rgb[64 + p], rgb[128 + p]];
    const after = [hued[p], hued[64 + p], hued[128 + p]];
    assert.ok(Math.abs(Math.max(...before) - Math.max(...after)) <= 1);
    assert.ok(Math.abs(Math.min(...before) - Math.min(...after)) <= 1);
  }
});

test('blur lowers the variance of a noisy image and keeps its mean', () => {
  const shape: ImageShape = { channels: 1, height: 28, width: 28 };
  const random = new Random(5);
  const noisy = Uint8Array.from({ length: 784 }, () => random.int(256));
  const blurred = view(noisy, shape, { ...identity, blur: { probability: 1, sigma: [2, 2], kernel: 0.1 } });
  assert.ok(variance(blurred) < variance(noisy) / 2);
  const mean = (x: Uint8Array) => x.reduce((a, b) => a + b, 0) / x.length;
  assert.ok(Math.abs(mean(blurred) - mean(noisy)) < 3);
});

test('view pairs: two different views per image, the same for the same (seed, epoch), another epoch differs', () => {
  const set: ImageSet = {
    count: 3,
    ...rgb8,
    pixels: Uint8Array.from({ length: 3 * 192 }, (_, i) => (i * 53) % 256),
    labels: Int32Array.from([0, 1, 0]),
    classes: ['a', 'b'],
    entityIds: Int32Array.from([1, 2, 3]),
    sourceSplit: [null, null, null],
    resized: 0,
    converted: 0,
  };
  const augmentation = simclrAugmentation(0.5);
  const views = viewPairs(set, [2, 0], 3, augmentation, 7, 0);
  assert.equal(views.length, 2 * 3 * 192);
  const row = (r: number) => Array.from(views.subarray(r * 192, (r + 1) * 192));
  assert.notDeepEqual(row(0), row(3), 'the two views of an image differ');
  assert.ok(row(2).every((v) => v === 0) && row(5).every((v) => v === 0), 'filler rows stay blank');
  assert.deepEqual(views, viewPairs(set, [2, 0], 3, augmentation, 7, 0));
  // an image's views do not depend on its batch neighbours
  assert.deepEqual(Array.from(viewPairs(set, [0], 1, augmentation, 7, 0).subarray(0, 192)), row(1));
  assert.notDeepEqual(viewPairs(set, [2, 0], 3, augmentation, 7, 1), views);
});

test('images.augment-preview: PNG data URLs of each image and its two views, at the dataset size', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'augment-preview-'));
  const path = join(dir, 'workspace.sqlite');
  const workspace = openWorkspace(path);
  t.after(() => {
    workspace.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await importImages(workspace, 'bars', barsCsv(dir, { classes: 2, perClass: 3 }));
  const preview = await dispatch(
    'images.augment-preview',
    { dataset: 'bars', count: 4, seed: 3 },
    { workspace: path },
  );
  assert.deepEqual(preview.shape, { channels: 1, height: 8, width: 8 });
  assert.equal(preview.augmentation.jitter.brightness, 0.8);
  assert.equal(preview.pairs.length, 4);
  const first = preview.pairs[0];
  assert.equal(first.label, '0');
  const png = await sharp(
    Buffer.from(first.views[0].replace('data:image/png;base64,', ''), 'base64'),
  ).metadata();
  assert.deepEqual([png.format, png.width, png.height, png.channels], ['png', 8, 8, 1]);
  assert.notEqual(first.views[0], first.views[1]);
  const again = await dispatch(
    'images.augment-preview',
    { dataset: 'bars', count: 4, seed: 3 },
    { workspace: path },
  );
  assert.deepEqual(again.pairs, preview.pairs);
});
