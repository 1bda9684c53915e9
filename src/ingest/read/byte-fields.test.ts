import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalInteger, plainInteger, splitFields } from './byte-fields.ts';

const bytes = (text: string) => Buffer.from(text);

test('splitFields gives field bounds, refuses quotes (when quoting) and too many fields', () => {
  const line = bytes('12,abc,,7');
  const bounds = new Int32Array(8);
  assert.equal(splitFields(line, 0, line.length, 0x2c, true, bounds), 4);
  const fields = [0, 1, 2, 3].map((k) => line.toString('utf8', bounds[2 * k], bounds[2 * k + 1]));
  assert.deepEqual(fields, ['12', 'abc', '', '7']);
  assert.equal(splitFields(line, 0, line.length, 0x2c, true, new Int32Array(6)), -1);
  const quoted = bytes('"a,b",c');
  assert.equal(splitFields(quoted, 0, quoted.length, 0x2c, true, bounds), -1);
  assert.equal(splitFields(quoted, 0, quoted.length, 0x2c, false, bounds), 3);
  const tail = bytes('x\ty\tz');
  assert.equal(splitFields(tail, 2, tail.length, 0x09, false, bounds), 2);
  assert.deepEqual([bounds[0], bounds[1], bounds[2], bounds[3]], [2, 3, 4, 5]);
});

test('canonicalInteger reads only keys whose string is String(n)', () => {
  const read = (text: string) => canonicalInteger(bytes(text), 0, text.length);
  assert.equal(read('0'), 0);
  assert.equal(read('42'), 42);
  assert.equal(read('999999999999999'), 999_999_999_999_999);
  for (const text of ['', '007', '+4', '-4', ' 4', '4 ', '4.0', '1e3', 'x1', '1234567890123456']) {
    assert.equal(read(text), -1, text);
  }
});

test('plainInteger agrees with Number() on plain integers and declines the rest', () => {
  const read = (text: string) => plainInteger(bytes(text), 0, text.length);
  for (const text of ['0', '007', '-12', '1600000000', '999999999999999'])
    assert.equal(read(text), Number(text));
  for (const text of ['', '-', '1.5', ' 1', '1e3', '0x10', '1234567890123456']) {
    assert.ok(Number.isNaN(read(text)), text);
  }
});
