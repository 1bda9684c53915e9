import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sharedDataset } from '../testing/shared-datasets.ts';
import { openWorkspace } from '../workspace/index.ts';
import { readNpy } from './npy.ts';
import { detectFormat, runImport } from './registry.ts';

const dir = mkdtempSync(join(tmpdir(), 'ingest-shared-'));
const ws = openWorkspace(join(dir, 'shared.constellation'));
after(() => {
  ws.close();
  rmSync(dir, { recursive: true, force: true });
});

test('dblp-four-area: counts of its SOURCE.md, 4,057 labelled authors', async (t) => {
  const path = sharedDataset(t, 'dblp-four-area');
  if (!path) return;
  assert.equal((await detectFormat('network', [path])).format, 'dblp-four-area');
  const d = await runImport(ws, { kind: 'network', paths: [path], name: 'dblp' });
  assert.deepEqual(d.stats.entities, { author: 14_475, paper: 14_376, conf: 20, term: 8_920 });
  assert.deepEqual(d.stats.relations, {
    'paper-author': 41_794,
    'paper-conf': 14_376,
    'paper-term': 114_624,
  });
  const authors = ws.entities.classLabels(ws.entities.type(d.id, 'author')!.id);
  assert.equal(authors.filter((c) => c !== null).length, 4_057);
  assert.deepEqual(d.stats.labelled, { author: 4_057 });
  assert.deepEqual(new Set(authors.filter((c) => c !== null)), new Set(['DB', 'DM', 'AI', 'IR']));
  const conf = ws.entities.byKey(ws.entities.type(d.id, 'conf')!.id, '36')!;
  assert.deepEqual([conf.label, conf.attributes], ['AAAI', { area: 'AI' }]);
});

test('meow-imdb (HeCo layout): movies with labels, type letters, edge counts', async (t) => {
  const path = sharedDataset(t, 'meow-imdb');
  if (!path) return;
  const labels = await readNpy(join(path, 'labels.npy'));
  assert.deepEqual([labels.dtype, labels.shape], ['<i8', [4275]]);
  assert.equal((await detectFormat('network', [path])).format, 'heco');
  const d = await runImport(ws, { kind: 'network', paths: [path], name: 'imdb' });
  assert.equal(d.stats.entities.m, 4_275);
  assert.deepEqual(d.stats.relations, { 'm-a': 12_831, 'm-d': 4_181, 'm-k': 20_428 });
  assert.deepEqual(d.stats.classes, { '1': 1_112, '2': 1_594, '3': 1_569 });
  assert.deepEqual(d.stats.labelled, { m: 4_275 });
});

test('recbole-ml-100k: 100,000 interactions, 943 users, 1,682 items with titles', async (t) => {
  const path = sharedDataset(t, 'recbole-ml-100k');
  if (!path) return;
  assert.equal((await detectFormat('interactions', [path])).format, 'recbole');
  const d = await runImport(ws, { kind: 'interactions', paths: [path], name: 'ml-100k' });
  assert.deepEqual(d.stats.entities, { user: 943, item: 1_682 });
  assert.equal(d.stats.interactions?.interactions, 100_000);
  assert.equal(d.stats.interactions?.hasTime, true);
  const toy = ws.entities.byKey(ws.entities.type(d.id, 'item')!.id, '1')!;
  assert.equal(toy.label, 'Toy Story');
  assert.deepEqual(toy.attributes, { release_year: '1995', class: ['Animation', "Children's", 'Comedy'] });
  // sequences come back in time order although the file is not sorted
  const seq = ws.relations.sequences(ws.entities.relationType(d.id, 'interacted')!.id);
  for (let u = 0; u < seq.users.length; u++) {
    for (let k = seq.offsets[u] + 1; k < seq.offsets[u + 1]; k++) assert.ok(seq.times[k - 1] <= seq.times[k]);
  }
});

test('sasrec-video: 287,107 interactions, 31,013 users, 23,715 items in file order', async (t) => {
  const path = sharedDataset(t, 'sasrec-video');
  if (!path) return;
  const file = join(path, 'Video.txt');
  assert.equal((await detectFormat('interactions', [file])).format, 'sasrec');
  const d = await runImport(ws, { kind: 'interactions', paths: [file], name: 'video' });
  assert.deepEqual(d.stats.entities, { user: 31_013, item: 23_715 });
  assert.equal(d.stats.interactions?.interactions, 287_107);
  assert.equal(d.stats.interactions?.hasTime, false);
});
