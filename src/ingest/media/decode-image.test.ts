import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { InputError } from '../types.ts';
import { readRawFrame, readStillImage } from './decode-image.ts';
import { encodeImage, pattern } from './media-fixtures.ts';

test('PNG, JPEG and WebP keep their original bytes and record size and channels', async () => {
  for (const [format, channels] of [
    ['png', 1],
    ['png', 4],
    ['jpeg', 3],
    ['webp', 3],
  ] as const) {
    const bytes = await encodeImage(format, 7, 5, channels);
    const image = await readStillImage(`x.${format}`, bytes);
    assert.equal(image.encoding, format);
    assert.equal(image.bytes, bytes, `${format} bytes are stored as given`);
    assert.deepEqual([image.width, image.height, image.channels], [7, 5, channels], format);
  }
});

test('other formats sharp reads are stored as PNG with the same pixels', async () => {
  const tiff = await sharp(pattern(4, 3, 3, 1), { raw: { width: 4, height: 3, channels: 3 } })
    .tiff({ compression: 'lzw' })
    .toBuffer();
  const image = await readStillImage('x.tiff', tiff);
  assert.equal(image.encoding, 'png');
  assert.deepEqual(await sharp(image.bytes).raw().toBuffer(), pattern(4, 3, 3, 1));
});

test('a truncated PNG (whose header still reads) is an InputError naming the file', async () => {
  const bytes = await encodeImage('png', 32, 32, 3);
  await assert.rejects(
    readStillImage('/data/cats/7.png', bytes.subarray(0, bytes.length - 40)),
    (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.file, '/data/cats/7.png');
      assert.match(error.problem, /not a readable image/);
      return true;
    },
  );
  await assert.rejects(readStillImage('junk.png', Buffer.from('not an image')), InputError);
});

test('frames take the first frame shape: resized to its size, converted to its colour', async () => {
  const first = await readRawFrame('1.png', await encodeImage('png', 6, 4, 3, 1));
  assert.deepEqual(first.shape, { width: 6, height: 4, channels: 3 });
  assert.deepEqual(first.pixels, pattern(6, 4, 3, 1));
  assert.equal(first.resized, false);

  const bigger = await readRawFrame('2.png', await encodeImage('png', 12, 8, 1), first.shape);
  assert.equal(bigger.resized, true);
  assert.equal(bigger.pixels.length, 6 * 4 * 3);

  const grey = await readRawFrame('g.png', await encodeImage('png', 3, 3, 1, 2));
  assert.equal(grey.shape.channels, 1);
  assert.deepEqual(grey.pixels, pattern(3, 3, 1, 2));
});
