import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { InputError } from '../types.ts';
import { readRecords } from './records.ts';

const dir = mkdtempSync(join(tmpdir(), 'records-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function read(name: string, content: string | Buffer, delimiter = ',', maxRecordBytes?: number) {
  const file = join(dir, name);
  writeFileSync(file, content);
  const rows: [number, string[]][] = [];
  await readRecords(
    file,
    { delimiter, quotes: true, signal: new AbortController().signal, maxRecordBytes },
    (f, l) => rows.push([l, f]),
  );
  return rows;
}

test('BOM is dropped, CRLF accepted, blank lines skipped but counted', async () => {
  const rows = await read('bom.csv', '\uFEFFuser,item\r\na,b\r\n\r\nc,d');
  assert.deepEqual(rows, [
    [1, ['user', 'item']],
    [2, ['a', 'b']],
    [4, ['c', 'd']],
  ]);
});

test('quoted fields hold delimiters, doubled quotes and newlines; line numbers follow', async () => {
  const rows = await read('quoted.csv', 'u,i\n"a,1","say ""hi"""\n"multi\r\nline",x\nlast,y\n');
  assert.deepEqual(rows, [
    [1, ['u', 'i']],
    [2, ['a,1', 'say "hi"']],
    [3, ['multi\nline', 'x']],
    [5, ['last', 'y']],
  ]);
});

test('an unclosed quote is an error naming its line', async () => {
  await assert.rejects(read('open.csv', 'u,i\n"never closed,x\ny,z\n'), (e: InputError) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.line, 2);
    assert.match(e.problem, /never closed/);
    return true;
  });
});

test('invalid UTF-8 names the line; valid multi-byte text split across chunks is fine', async () => {
  const bad = Buffer.concat([Buffer.from('u,i\na,b\nc'), Buffer.from([0xff, 0xfe]), Buffer.from(',d\n')]);
  await assert.rejects(read('bad.csv', bad), (e: InputError) => {
    assert.equal(e.line, 3);
    assert.match(e.problem, /invalid UTF-8 near byte 2/);
    return true;
  });
  const many = `${'é,ü\n'.repeat(400_000)}`; // > 1 MiB: crosses chunk boundaries mid-character
  assert.equal((await read('many.csv', many)).length, 400_000);
});

test('a line longer than the cap is an error, not an out-of-memory crash', async () => {
  const rows = `u,i\n${'x'.repeat(5000)}\n`;
  await assert.rejects(read('long.csv', rows, ',', 1024), (e: InputError) => {
    assert.equal(e.line, 2);
    assert.match(e.problem, /longer than/);
    return true;
  });
});

test('gzip is read transparently; truncated gzip is an error', async () => {
  const text = Array.from({ length: 20_000 }, (_, i) => `${i},${i % 7}`).join('\n');
  const gz = gzipSync(text);
  assert.equal((await read('ok.csv.gz', gz)).length, 20_000);
  await assert.rejects(read('cut.csv.gz', gz.subarray(0, gz.length - 40)), (e: InputError) => {
    assert.ok(e instanceof InputError);
    assert.match(e.problem, /gzip data is truncated or corrupt/);
    assert.ok(e.line !== null && e.line > 1);
    return true;
  });
});

test('whitespace and multi-character delimiters', async () => {
  assert.deepEqual(await read('ws.txt', '1  2\n3\t4\n', 'whitespace'), [
    [1, ['1', '2']],
    [2, ['3', '4']],
  ]);
  assert.deepEqual(await read('ml.dat', '1::2::5::9\n', '::'), [[1, ['1', '2', '5', '9']]]);
});

test('a missing path and a directory are errors naming the path', async () => {
  const signal = new AbortController().signal;
  const none = join(dir, 'nope.csv');
  await assert.rejects(
    readRecords(none, { delimiter: ',', quotes: false, signal }, () => {}),
    /nope\.csv: no such file/,
  );
  await assert.rejects(
    readRecords(dir, { delimiter: ',', quotes: false, signal }, () => {}),
    /is a directory/,
  );
});
