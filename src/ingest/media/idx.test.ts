import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openInput } from '../read/input.ts';
import { InputError } from '../types.ts';
import { type IdxRecord, readIdxRecords } from './idx.ts';
import { idxBytes, tempDir } from './media-fixtures.ts';

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
