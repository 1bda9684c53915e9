// Exports through the API, as every transport runs them: a network imported through the registry,
// a run with stored embeddings, each format read back, and GEXF re-imported with the same counts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { generateAcademicNetwork, writeFourAreaLayout } from '../../demo/academic-network.ts';
import { readDemoSpec } from '../../demo/spec.ts';
import { parseNpy } from '../../ingest/npy.ts';
import { runImport } from '../../ingest/registry.ts';
import { sharedDataset } from '../../testing/shared-datasets.ts';
import type { Dataset, EmbeddingMatrix, Workspace } from '../../workspace/index.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { dispatch } from '../dispatcher.ts';
import { ApiError } from '../schema/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'export-api-'));
const workspacePath = join(dir, 'w.constellation');
let network: Dataset;
let runId: number;
let stored: EmbeddingMatrix;

/** The demo's academic network, shrunk: authors with research-area classes, venues with attributes. */
const spec = readDemoSpec().academicNetwork;
const small = { ...spec, authorsPerArea: 12, papersPerArea: 20, termsPerArea: 8, sharedTerms: 4 };

before(async () => {
  const files = join(dir, 'academic');
  mkdirSync(files);
  await writeFourAreaLayout(generateAcademicNetwork(small, 7), files);
  const ws = openWorkspace(workspacePath);
  try {
    network = await runImport(ws, {
      kind: 'network',
      paths: [files],
      name: 'academic',
      format: 'dblp-four-area',
    });
    const run = ws.runs.create({
      datasetId: network.id,
      model: 'metapath2vec',
      config: { dim: 3 },
      seed: 1,
      device: 'cpu',
      codeVersion: 'test',
    });
    runId = run.id;
    // authors then venues: two types, so the export has to say which row is which
    const ids = Int32Array.from([
      ...ws.entities.ids(ws.entities.type(network.id, 'author')!.id),
      ...ws.entities.ids(ws.entities.type(network.id, 'conf')!.id),
    ]);
    const vectors = Float32Array.from(
      { length: ids.length * 3 },
      (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3),
    );
    ws.embeddings.put(runId, { entityIds: ids, dim: 3, vectors });
    stored = ws.embeddings.get(runId)!;
  } finally {
    ws.close();
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

function withWorkspace<T>(use: (ws: Workspace) => T): T {
  const ws = openWorkspace(workspacePath, { readonly: true });
  try {
    return use(ws);
  } finally {
    ws.close();
  }
}

/** Key, type, label and class of each stored row, as the export must write them. */
function expectedRows() {
  return withWorkspace((ws) => {
    const byId = new Map<number, { key: string; type: string; label: string | null; class: string | null }>();
    for (const type of ws.entities.types(network.id)) {
      const ids = ws.entities.ids(type.id);
      const page = ws.entities.page(type.id, 0).rows;
      for (const [i, e] of page.entries())
        byId.set(ids[i], { key: e.key, type: type.name, label: e.label, class: e.classLabel });
    }
    return [...stored.entityIds].map((id) => byId.get(id)!);
  });
}

test('embeddings as projector TSV: vectors exact as float32, metadata key/type/label/class per row', async () => {
  const out = join(dir, 'tsv', 'vectors.tsv');
  const result = await dispatch(
    'export.embeddings',
    { run: runId, format: 'tsv', out },
    { workspace: workspacePath },
  );
  assert.deepEqual(result.files, [out, join(dir, 'tsv', 'metadata.tsv')]);
  assert.equal(result.rows, stored.entityIds.length);
  assert.equal(result.dim, 3);
  const values = readFileSync(out, 'utf8')
    .trimEnd()
    .split('\n')
    .flatMap((line) => line.split('\t').map((v) => Math.fround(Number.parseFloat(v))));
  assert.deepEqual(Float32Array.from(values), stored.vectors);
  // only the final newline goes: a last row without a class ends in a tab
  const [header, ...rows] = readFileSync(result.files[1], 'utf8').replace(/\n$/, '').split('\n');
  assert.equal(header, 'key\ttype\tlabel\tclass');
  const expected = expectedRows();
  assert.deepEqual(
    rows.map((r) => r.split('\t')),
    expected.map((e) => [e.key, e.type, e.label ?? '', e.class ?? '']),
  );
  // the planted research areas arrive as classes of the authors; venues have none
  assert.ok(expected.some((e) => e.type === 'author' && e.class !== null));
  assert.ok(expected.filter((e) => e.type === 'conf').every((e) => e.class === null));
});

test('embeddings as NPY: float32 [rows, dim] beside a metadata TSV', async () => {
  const out = join(dir, 'run.npy');
  const result = await dispatch(
    'export.embeddings',
    { run: runId, format: 'npy', out },
    { workspace: workspacePath },
  );
  assert.deepEqual(result.files, [out, join(dir, 'run.metadata.tsv')]);
  const array = parseNpy(readFileSync(out), out);
  assert.deepEqual([array.dtype, array.shape], ['<f4', [stored.entityIds.length, 3]]);
  assert.deepEqual(array.data, stored.vectors);
  const keys = readFileSync(result.files[1], 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((r) => r.split('\t')[0]);
  assert.deepEqual(
    keys,
    expectedRows().map((e) => e.key),
  );
});

test('embeddings as Parquet: key/type/label/class and the vectors in one file', async () => {
  const out = join(dir, 'run.parquet');
  const result = await dispatch(
    'export.embeddings',
    { run: runId, format: 'parquet', out },
    { workspace: workspacePath },
  );
  assert.deepEqual(result.files, [out]);
  const table = tableFromIPC(readParquet(readFileSync(out)).intoIPCStream());
  const expected = expectedRows();
  assert.deepEqual(
    [...table.getChild('key')!],
    expected.map((e) => e.key),
  );
  assert.deepEqual(
    [...table.getChild('type')!],
    expected.map((e) => e.type),
  );
  assert.deepEqual(
    [...table.getChild('label')!],
    expected.map((e) => e.label),
  );
  assert.deepEqual(
    [...table.getChild('class')!],
    expected.map((e) => e.class),
  );
  const vectors = table.getChild('vector')!;
  const flat = Float32Array.from(
    { length: stored.vectors.length },
    (_, i) => vectors.get(Math.floor(i / 3))!.get(i % 3) as number,
  );
  assert.deepEqual(flat, stored.vectors);
});

test('export errors: an unknown run, a run without embeddings, an unknown dataset', async () => {
  const code = (expected: string) => (error: unknown) => error instanceof ApiError && error.code === expected;
  await assert.rejects(
    dispatch(
      'export.embeddings',
      { run: 999, format: 'npy', out: join(dir, 'x.npy') },
      { workspace: workspacePath },
    ),
    code('not-found'),
  );
  const ws = openWorkspace(workspacePath);
  const bare = ws.runs.create({
    datasetId: network.id,
    model: 'm',
    config: {},
    seed: 0,
    device: 'cpu',
    codeVersion: 't',
  });
  ws.close();
  await assert.rejects(
    dispatch(
      'export.embeddings',
      { run: bare.id, format: 'npy', out: join(dir, 'x.npy') },
      { workspace: workspacePath },
    ),
    (error: unknown) => code('refused')(error) && /has stored no embeddings/.test((error as Error).message),
  );
  await assert.rejects(
    dispatch('export.network', { dataset: 'nope', out: join(dir, 'x.gexf') }, { workspace: workspacePath }),
    (error: unknown) => code('not-found')(error) && /there are: academic/.test((error as Error).message),
  );
  await assert.rejects(
    dispatch('export.embeddings', { run: runId, format: 'csv', out: 'x' } as never, {
      workspace: workspacePath,
    }),
    code('invalid-input'),
  );
});

/** Exports `name` as GEXF, imports the file back and checks both datasets hold the same network. */
async function roundTrip(workspace: string, name: string, out: string): Promise<void> {
  const result = await dispatch('export.network', { dataset: name, out }, { workspace });
  assert.deepEqual(result.files, [out]);
  const ws = openWorkspace(workspace);
  try {
    const original = ws.datasets.require(name);
    const back = await runImport(ws, { kind: 'network', paths: [out], name: `${name} (gexf)` });
    assert.equal(back.source.format, 'gexf');
    assert.deepEqual(back.stats.entities, original.stats.entities);
    assert.deepEqual(back.stats.relations, original.stats.relations);
    assert.deepEqual(back.stats.classes, original.stats.classes);
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    assert.equal(result.nodes, sum(original.stats.entities));
    assert.equal(result.edges, sum(original.stats.relations));
    // the same entities in the same order, and every relation between the same keys
    for (const type of ws.entities.types(original.id)) {
      const again = ws.entities.type(back.id, type.name)!;
      assert.deepEqual(ws.entities.keys(again.id), ws.entities.keys(type.id));
      assert.deepEqual(ws.entities.classLabels(again.id), ws.entities.classLabels(type.id));
    }
    for (const relation of ws.entities.relationTypes(original.id)) {
      const again = ws.entities.relationType(back.id, relation.name)!;
      assert.deepEqual([again.sourceType, again.targetType], [relation.sourceType, relation.targetType]);
      const a = ws.relations.arrays(relation.id);
      const b = ws.relations.arrays(again.id);
      assert.deepEqual([b.source, b.target], [a.source, a.target]);
    }
  } finally {
    ws.close();
  }
}

test('a network as GEXF, imported back through the gexf importer: same types, keys, classes, relations', async () => {
  await roundTrip(workspacePath, 'academic', join(dir, 'academic.gexf'));
  withWorkspace((ws) => {
    const back = ws.datasets.require('academic (gexf)');
    const conf = ws.entities.page(ws.entities.type(back.id, 'conf')!.id, 0).rows[0];
    assert.deepEqual(Object.keys(conf.attributes ?? {}), ['area']);
    assert.ok(conf.label);
  });
});

test('a cancelled network export writes nothing, not even a temporary file', async () => {
  mkdirSync(join(dir, 'cancelled'));
  const out = join(dir, 'cancelled', 'academic.gexf');
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    dispatch(
      'export.network',
      { dataset: 'academic', out },
      { workspace: workspacePath, signal: controller.signal },
    ),
    (error: unknown) => error instanceof ApiError && error.code === 'cancelled',
  );
  assert.deepEqual(readdirSync(join(dir, 'cancelled')), []);
});

test('meow-imdb (HeCo layout) as GEXF and back', async (t) => {
  const path = sharedDataset(t, 'meow-imdb');
  if (!path) return;
  const workspace = join(dir, 'imdb.constellation');
  const ws = openWorkspace(workspace);
  try {
    await runImport(ws, { kind: 'network', paths: [path], name: 'imdb' });
  } finally {
    ws.close();
  }
  await roundTrip(workspace, 'imdb', join(dir, 'imdb.gexf'));
});
