import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { parseNpy } from '../npy.ts';
import { exportEmbeddings, metadataPath } from './embeddings.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'export-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Values that a careless float printer would not round-trip: subnormals, large and tiny magnitudes. */
function sample(rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < out.length; i++) out[i] = Math.sin(i * 12.9898) * 10 ** ((i % 11) - 5);
  out[1] = 1e-45;
  out[2] = -3.4028234663852886e38;
  return out;
}

const table = {
  keys: ['a1', 'a2', 'p1', 'p2', 'p3'],
  types: ['author', 'author', 'paper', 'paper', 'paper'],
  labels: ['Ada\tLovelace', 'Alan Turing', 'On "graphs"', null, 'x'],
  classes: ['ML', null, 'DB', 'DB', 'ML'],
  vectors: sample(5, 3),
  dim: 3,
};

test('TSV: vectors without header round-trip float32 exactly; metadata has a header and no stray tabs', async (t) => {
  const path = join(tempDir(t), 'vectors.tsv');
  const files = await exportEmbeddings({ format: 'tsv', path, ...table });
  assert.deepEqual(files, [path, join(path, '..', 'metadata.tsv')]);
  const rows = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.equal(rows.length, 5);
  const values = Float32Array.from(
    rows.flatMap((r) => r.split('\t').map((v) => Math.fround(Number.parseFloat(v)))),
  );
  assert.deepEqual(values, table.vectors);
  const metadata = readFileSync(files[1], 'utf8').trimEnd().split('\n');
  assert.equal(metadata[0], 'key\ttype\tlabel\tclass');
  assert.equal(metadata.length, 6);
  assert.deepEqual(metadata[1].split('\t'), ['a1', 'author', 'Ada Lovelace', 'ML']);
  assert.deepEqual(metadata[4].split('\t'), ['p2', 'paper', '', 'DB']);
});

test('TSV metadata with keys only is one column without a header, as the projector expects', async (t) => {
  const path = join(tempDir(t), 'run7.tsv');
  const files = await exportEmbeddings({
    format: 'tsv',
    path,
    keys: table.keys,
    vectors: table.vectors,
    dim: 3,
  });
  assert.equal(files[1], metadataPath(path));
  assert.ok(files[1].endsWith('run7.metadata.tsv'));
  assert.deepEqual(readFileSync(files[1], 'utf8').trimEnd().split('\n'), table.keys);
});

test('NPY: float32 [rows, dim], v1 header aligned to 64 bytes, read back exactly by the NPY reader', async (t) => {
  const path = join(tempDir(t), 'embeddings.npy');
  const files = await exportEmbeddings({ format: 'npy', path, ...table });
  const bytes = readFileSync(path);
  assert.deepEqual([bytes[6], bytes[7]], [1, 0]);
  assert.equal((10 + bytes.readUInt16LE(8)) % 64, 0);
  const array = parseNpy(bytes, path);
  assert.equal(array.dtype, '<f4');
  assert.deepEqual(array.shape, [5, 3]);
  assert.deepEqual(array.data, table.vectors);
  assert.ok(files[1].endsWith('embeddings.metadata.tsv'));
});

test('Parquet: key/type/label/class and a FixedSizeList<float32> vector column, read back exactly', async (t) => {
  const path = join(tempDir(t), 'embeddings.parquet');
  await exportEmbeddings({ format: 'parquet', path, ...table });
  const back = tableFromIPC(readParquet(readFileSync(path)).intoIPCStream());
  assert.deepEqual(
    back.schema.fields.map((f) => f.name),
    ['key', 'type', 'label', 'class', 'vector'],
  );
  assert.equal(back.numRows, 5);
  assert.deepEqual(back.getChild('key')!.toArray(), table.keys);
  assert.deepEqual([...back.getChild('label')!], table.labels);
  assert.deepEqual([...back.getChild('class')!], table.classes);
  const vectors = back.getChild('vector')!;
  assert.equal(String(vectors.type), 'FixedSizeList[3]<Float32>');
  const flat = Float32Array.from(
    { length: 15 },
    (_, i) => vectors.get(Math.floor(i / 3))!.get(i % 3) as number,
  );
  assert.deepEqual(flat, table.vectors);
});

test('a mismatched table is refused before anything is written; a failed write leaves the old file', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'embeddings.npy');
  writeFileSync(path, 'old');
  await assert.rejects(
    exportEmbeddings({ format: 'npy', path, keys: ['a', 'b'], vectors: new Float32Array(5), dim: 2 }),
    /5 vector values are not 2 rows of 2/,
  );
  const nan = Float32Array.from([0, Number.NaN]);
  await assert.rejects(
    exportEmbeddings({ format: 'parquet', path, keys: ['a'], vectors: nan, dim: 2 }),
    /vector of "a" \(row 0\) holds NaN at dimension 1/,
  );
  assert.equal(readFileSync(path, 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir), ['embeddings.npy']);
});
