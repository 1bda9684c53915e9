// `constellation export` as a user runs it: embeddings of a run and a network, one JSON object each.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runImport } from '../ingest/registry.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { cli, oneJson, tempDir } from './spawn-cli.ts';

test('export embeddings and export network with --json; a missing --format is a usage error', async (t) => {
  const dir = tempDir(t);
  const workspace = join(dir, 'w.constellation');
  const edges = join(dir, 'author-writes-paper.csv');
  writeFileSync(edges, 'author,paper\nada,p1\nada,p2\nalan,p2\n');
  // the dataset, the run and its vectors go in through the workspace API: only the exports are spawned
  const ws = openWorkspace(workspace);
  const dataset = await runImport(ws, { kind: 'network', paths: [edges], name: 'tiny' });
  const run = ws.runs.create({
    datasetId: dataset.id,
    model: 'test',
    config: {},
    seed: 0,
    device: 'cpu',
    codeVersion: 't',
  });
  const ids = Int32Array.from(ws.entities.types(dataset.id).flatMap((type) => [...ws.entities.ids(type.id)]));
  ws.embeddings.put(run.id, {
    entityIds: ids,
    dim: 2,
    vectors: Float32Array.from({ length: ids.length * 2 }, (_, i) => i / 4),
  });
  ws.close();

  const out = join(dir, 'out', 'vectors.tsv');
  const exported = await cli([
    'export',
    'embeddings',
    String(run.id),
    '--format',
    'tsv',
    '--out',
    out,
    '--workspace',
    workspace,
    '--json',
  ]);
  assert.equal(exported.code, 0, exported.stderr);
  const result = oneJson(exported);
  assert.deepEqual(
    { ...result, seconds: 0 },
    {
      run: run.id,
      format: 'tsv',
      files: [out, join(dir, 'out', 'metadata.tsv')],
      rows: 4,
      dim: 2,
      seconds: 0,
    },
  );
  // rows in entity id order: ada, the first entity imported, has the first vector
  assert.equal(readFileSync(out, 'utf8').split('\n')[0], '0\t0.25');
  assert.deepEqual(
    readFileSync(join(dir, 'out', 'metadata.tsv'), 'utf8')
      .split('\n')
      .slice(0, 2),
    ['key\ttype', 'ada\tauthor'],
  );

  const gexf = join(dir, 'tiny.gexf');
  const network = await cli(['export', 'network', 'tiny', '--out', gexf, '--workspace', workspace, '--json']);
  assert.equal(network.code, 0, network.stderr);
  assert.deepEqual(
    { ...oneJson(network), seconds: 0 },
    { dataset: 'tiny', format: 'gexf', files: [gexf], nodes: 4, edges: 3, seconds: 0 },
  );

  const usage = await cli([
    'export',
    'embeddings',
    String(run.id),
    '--out',
    join(dir, 'x.npy'),
    '--workspace',
    workspace,
    '--json',
  ]);
  assert.equal(usage.code, 2);
  assert.match((oneJson(usage).error as { message: string }).message, /--format/);
  assert.equal(existsSync(join(dir, 'x.npy')), false);
});
