import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNpy } from './npy.ts';
import type { InputError } from './types.ts';

/** Builds .npy bytes the way numpy.save does (header padded to 64 bytes, ending in a newline). */
function npy(descr: string, shape: number[], fortran: boolean, data: Buffer, major = 1): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const prefix = major === 1 ? 10 : 12;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const header = `${dict}${' '.repeat(total - prefix - dict.length - 1)}\n`;
  const head = Buffer.alloc(prefix);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(head);
  if (major === 1) head.writeUInt16LE(header.length, 8);
  else head.writeUInt32LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
}

test('NPY v1 little-endian int64 vector', () => {
  const data = Buffer.alloc(24);
  for (const [i, v] of [1, 2, 3].entries()) data.writeBigInt64LE(BigInt(v), i * 8);
  const a = parseNpy(npy('<i8', [3], false, data));
  assert.deepEqual(a.shape, [3]);
  assert.deepEqual([...a.data].map(Number), [1, 2, 3]);
});

test('NPY v2 and v3 headers, big-endian float32, bool', () => {
  const f = Buffer.alloc(8);
  f.writeFloatBE(1.5, 0);
  f.writeFloatBE(-2, 4);
  assert.deepEqual([...parseNpy(npy('>f4', [2], false, f, 2)).data], [1.5, -2]);
  assert.deepEqual([...parseNpy(npy('|b1', [3], false, Buffer.from([1, 0, 1]), 3)).data], [1, 0, 1]);
});

test('Fortran order is returned in C order', () => {
  // the 2x3 matrix [[1,2,3],[4,5,6]] stored column by column
  const data = Buffer.alloc(24);
  for (const [i, v] of [1, 4, 2, 5, 3, 6].entries()) data.writeInt32LE(v, i * 4);
  const a = parseNpy(npy('<i4', [2, 3], true, data));
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual([...a.data], [1, 2, 3, 4, 5, 6]);
});

test('clear errors: not NPY, unsupported dtype, truncated data', () => {
  assert.throws(
    () => parseNpy(Buffer.from('hello world'), 'x.npy'),
    (e: InputError) => /magic/.test(e.problem),
  );
  assert.throws(
    () => parseNpy(npy('<U5', [1], false, Buffer.alloc(20)), 'x.npy'),
    (e: InputError) => e.field === 'descr' && /unsupported dtype <U5/.test(e.problem),
  );
  assert.throws(
    () => parseNpy(npy('<f8', [4], false, Buffer.alloc(16)), 'x.npy'),
    (e: InputError) => /truncated/.test(e.problem),
  );
});
