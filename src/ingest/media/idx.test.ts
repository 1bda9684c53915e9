import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { sharedDataset } from '../../testing/shared-datasets.ts';
import { openInput } from '../read/input.ts';
import { ImportCancelled, InputError } from '../types.ts';
import { FASHION_MNIST_CLASSES, type IdxRecord, idxImporter, parseIdxHeader, readIdxRecords } from './idx.ts';
import { idxBytes, importFixture, tempDir } from './media-fixtures.ts';

async function records(file: string): Promise<IdxRecord[]> {
  const out: IdxRecord[] = [];
  for await (const record of readIdxRecords(await openInput(file))) out.push(record);
  return out;
}

test('reads the records of a gzip IDX file in order', async (t) => {
  const dir = tempDir(t);
  const pixels = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => i * 10);
  const file = join(dir, 'train-images-idx3-ubyte.gz');
  writeFileSync(file, gzipSync(idxBytes([3, 2, 4], pixels)));
  const out = await records(file);
  assert.equal(out.length, 3);
  assert.deepEqual(out[0].dims, [3, 2, 4]);
  assert.deepEqual(Array.from(out[1].data), Array.from(pixels.subarray(8, 16)));
  assert.deepEqual(
    out.map((r) => r.index),
    [0, 1, 2],
  );
});

test('reads a plain (not gzipped) IDX file', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'x-labels-idx1-ubyte');
  writeFileSync(file, idxBytes([4], Uint8Array.from([3, 1, 4, 1])));
  assert.deepEqual(
    (await records(file)).map((r) => r.data[0]),
    [3, 1, 4, 1],
  );
});

test('a truncated gzip is an InputError naming the file', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'train-images-idx3-ubyte.gz');
  const whole = gzipSync(
    idxBytes(
      [50, 28, 28],
      new Uint8Array(50 * 784).map((_, i) => (i * 7) % 256),
    ),
  );
  writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
  await assert.rejects(records(file), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, file);
    assert.match(error.message, /truncated or corrupt/);
    return true;
  });
});

test('fewer records than the header announces is an InputError', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'train-images-idx3-ubyte');
  writeFileSync(file, idxBytes([5, 2, 2], new Uint8Array(4 * 4)));
  await assert.rejects(records(file), /announces 5 records, the file holds 4/);
});

test('bytes after the announced records are an InputError', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'train-images-idx3-ubyte');
  writeFileSync(file, idxBytes([1, 2, 2], new Uint8Array(5)));
  await assert.rejects(records(file), /bytes after the 1 records/);
});

test('a non-IDX file and a non-byte element type are rejected at the magic field', async (t) => {
  const dir = tempDir(t);
  const text = join(dir, 'a-images-idx3-ubyte');
  writeFileSync(text, 'hello, this is text');
  await assert.rejects(records(text), /\(magic\): not an IDX file/);
  const floats = join(dir, 'b-images-idx3-ubyte');
  const bytes = idxBytes([1, 1, 1], new Uint8Array(4));
  bytes[2] = 0x0d;
  writeFileSync(floats, bytes);
  await assert.rejects(records(floats), /element type 0xd is not unsigned byte/);
});

function writePair(dir: string, prefix: string, labels: number[], gzip = true): void {
  const n = labels.length;
  const pixels = Uint8Array.from({ length: n * 3 * 2 }, (_, i) => i % 256);
  const wrap = (b: Buffer) => (gzip ? gzipSync(b) : b);
  const ext = gzip ? '.gz' : '';
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte${ext}`), wrap(idxBytes([n, 3, 2], pixels)));
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte${ext}`), wrap(idxBytes([n], Uint8Array.from(labels))));
}

test('imports train and t10k pairs with their split; classes are digits unless the source is Fashion-MNIST', async (t) => {
  const dir = tempDir(t);
  writePair(dir, 'train', [0, 1, 1, 9]);
  writePair(dir, 't10k', [2, 0], false);
  const { run, events, workspace } = importFixture(t);
  assert.equal(await idxImporter.detect([dir]), true);
  const digits = await run(idxImporter, [dir]);
  const stored = [...workspace.media.each(digits.id)];
  assert.deepEqual(
    stored.map((m) => m.key),
    ['train/0', 'train/1', 'train/2', 'train/3', 'test/0', 'test/1'],
  );
  assert.deepEqual(Array.from(stored[1].bytes), [6, 7, 8, 9, 10, 11]);
  assert.equal(stored[1].encoding, 'raw-u8');
  const type = workspace.entities.type(digits.id, 'image')!;
  assert.deepEqual(workspace.entities.byKey(type.id, 'test/1')!.attributes, { split: 'test' });
  assert.deepEqual(digits.stats.entities, { image: 6 });
  assert.deepEqual(digits.stats.classes, { '0': 2, '1': 2, '2': 1, '9': 1 });
  assert.deepEqual(digits.stats.media, { count: 6, width: 2, height: 3, channels: 1, frames: 1 });
  assert.equal(events.at(-1)!.bytes, events.at(-1)!.totalBytes);

  writeFileSync(
    join(dir, 'SOURCE.md'),
    '# fashion-mnist\nupstream github.com/zalandoresearch/fashion-mnist\n',
  );
  const fashion = await run(idxImporter, [dir]);
  assert.deepEqual(fashion.stats.classes, { 'T-shirt/top': 2, Trouser: 2, Pullover: 1, 'Ankle boot': 1 });
  const named = await run(idxImporter, [dir], {
    classNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
  });
  assert.deepEqual(named.stats.classes, { a: 2, b: 2, c: 1, j: 1 });
});

test('bad IDX input fails the import and leaves the workspace unchanged', async (t) => {
  const dir = tempDir(t);
  writePair(dir, 'train', [0, 1, 1, 9]);
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxBytes([3], Uint8Array.from([0, 1, 2]))));
  const { run, workspace } = importFixture(t);
  await assert.rejects(
    run(idxImporter, [dir]),
    /train-labels-idx1-ubyte\.gz \(count\): holds 3 labels for the 4 images/,
  );

  const truncated = tempDir(t);
  writePair(
    truncated,
    'train',
    Array.from({ length: 400 }, (_, i) => i % 10),
  );
  const images = join(truncated, 'train-images-idx3-ubyte.gz');
  const whole = gzipSync(
    idxBytes(
      [400, 28, 28],
      new Uint8Array(400 * 784).map((_, i) => (i * 13) % 256),
    ),
  );
  writeFileSync(images, whole.subarray(0, whole.length - 100));
  await assert.rejects(run(idxImporter, [truncated]), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, images);
    return true;
  });
  await assert.rejects(run(idxImporter, [join(dir, 'missing')]), /missing: no such file/);
  assert.deepEqual(workspace.datasets.list(), []);
});

test('cancelling an IDX import mid-way throws ImportCancelled and leaves the workspace unchanged', async (t) => {
  const dir = tempDir(t);
  writePair(
    dir,
    'train',
    Array.from({ length: 2000 }, (_, i) => i % 10),
  );
  const { run, workspace } = importFixture(t);
  const controller = new AbortController();
  await assert.rejects(
    run(
      idxImporter,
      [dir],
      {},
      { signal: controller.signal, onProgress: (p) => p.rows > 0 && controller.abort() },
    ),
    ImportCancelled,
  );
  assert.deepEqual(workspace.datasets.list(), []);
});

test('Fashion-MNIST: the test pair imports as 10,000 images in 10 named classes; train holds 60,000', async (t) => {
  const dir = sharedDataset(t, 'fashion-mnist');
  if (!dir) return;
  // The full 70,000-image import is a benchmark (bench-idx.ts): under a loaded CI machine it takes tens of seconds.
  const { run } = importFixture(t);
  const pair = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((name) => join(dir, name));
  const dataset = await run(idxImporter, pair);
  assert.deepEqual(dataset.stats.entities, { image: 10_000 });
  assert.deepEqual(dataset.stats.media, { count: 10_000, width: 28, height: 28, channels: 1, frames: 1 });
  assert.deepEqual(Object.keys(dataset.stats.classes!).sort(), [...FASHION_MNIST_CLASSES].sort());
  assert.ok(Object.values(dataset.stats.classes!).every((n) => n === 1000));
  for (const name of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']) {
    // the header alone: the first decompressed chunk, not the whole 26 MB file
    for await (const head of (await openInput(join(dir, name))).chunks) {
      assert.equal(parseIdxHeader(name, head)!.dims[0], 60_000, name);
      break;
    }
  }
});
