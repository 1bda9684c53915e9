// A user's history through the dispatcher on a real workspace: an interaction log whose file order
// is not time order, with an untimed row and titled items, and a run on it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openWorkspace } from '../../workspace/workspace.ts';
import { dispatch } from '../dispatcher.ts';
import type { ApiError } from '../schema/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'recommendation-api-'));
const workspace = join(dir, 'w.constellation');
let run: number;
let networkRun: number;

before(() => {
  const ws = openWorkspace(workspace);
  const session = ws.beginImport({
    name: 'watch',
    kind: 'interactions',
    source: { format: 'test', paths: [] },
  });
  session.entityType('user');
  session.addEntities('item', [
    { key: 'm0', label: 'Alien' },
    { key: 'm1', label: 'Brazil' },
    { key: 'm2', label: 'Casablanca' },
    { key: 'm3', label: null },
  ]);
  session.relationType('interacted', 'user', 'item');
  const u = session.ensureEntity('user', 'u1');
  const other = session.ensureEntity('user', 'u2');
  // u1 watched m2 at 300, m0 at 100, m3 untimed, m1 at 200; u2 interleaved
  session.addRelations(
    'interacted',
    [u, other, u, u, other, u],
    [2, 0, 0, 3, 1, 1],
    [300, 50, 100, Number.NaN, 60, 200],
  );
  const dataset = session.commit();
  run = ws.runs.create({
    datasetId: dataset.id,
    model: 'popularity',
    config: {},
    seed: 0,
    device: 'cpu',
    codeVersion: 'test',
  }).id;
  const net = ws.beginImport({ name: 'net', kind: 'network', source: { format: 'test', paths: [] } });
  net.addEntities('paper', [{ key: 'p' }]);
  const netDataset = net.commit();
  networkRun = ws.runs.create({
    datasetId: netDataset.id,
    model: 'metapath2vec',
    config: {},
    seed: 0,
    device: 'cpu',
    codeVersion: 'test',
  }).id;
  ws.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("a user's history by time, untimed last, titles where the log has them", async () => {
  const history = await dispatch('interactions.history', { run, user: 'u1' }, { workspace });
  assert.equal(history.dataset, 'watch');
  assert.equal(history.total, 4);
  assert.deepEqual(history.items, [
    { item: 'm0', label: 'Alien', time: 100 },
    { item: 'm1', label: 'Brazil', time: 200 },
    { item: 'm2', label: 'Casablanca', time: 300 },
    { item: 'm3', label: null, time: null },
  ]);
  const latest = await dispatch('interactions.history', { run, user: 'u1', limit: 2 }, { workspace });
  assert.equal(latest.total, 4);
  assert.deepEqual(
    latest.items.map((i) => i.item),
    ['m2', 'm3'],
  );
});

test('unknown users, unknown runs and runs on networks are refused', async () => {
  const code = (expected: string, message: RegExp) => (e: ApiError) => {
    assert.equal(e.code, expected);
    assert.match(e.message, message);
    return true;
  };
  await assert.rejects(
    dispatch('interactions.history', { run, user: 'u9' }, { workspace }),
    code('not-found', /no user "u9" in dataset "watch"/),
  );
  await assert.rejects(
    dispatch('interactions.history', { run: 999, user: 'u1' }, { workspace }),
    code('not-found', /no run 999/),
  );
  await assert.rejects(
    dispatch('interactions.history', { run: networkRun, user: 'u1' }, { workspace }),
    code('refused', /"net" is not an interaction log/),
  );
});
