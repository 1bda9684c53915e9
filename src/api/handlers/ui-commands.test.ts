// The commands the UI needs beyond import: models, devices, preview, samples, training with
// pause and resume, run history. Through the dispatcher, on a real workspace.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dispatch } from '../dispatcher.ts';
import type { ApiError } from '../schema/errors.ts';

function fixture(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-ui-commands-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = ['user_id;movie;ts'];
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let u = 0; u < 120; u++) {
    let item = Math.floor(random() * 40);
    for (let k = 0; k < 12; k++) {
      item = (item + 1 + Math.floor(random() * 3)) % 40;
      log.push(`u${u};m${item};${1000 + k}`);
    }
  }
  writeFileSync(join(dir, 'log.csv'), `${log.join('\n')}\n`);
  writeFileSync(join(dir, 'bad.csv'), 'user,item,timestamp\nu1,i1,10\nu2,i2\nu3,i3,12\n');
  return { dir, workspace: join(dir, 'ws.constellation') };
}

test('models.list gives each model a JSON Schema of its settings and presets that satisfy it', async () => {
  const { models } = await dispatch('models.list', {}, { workspace: ':unused' });
  const bert4rec = models.find((m) => m.id === 'bert4rec')!;
  const properties = bert4rec.configSchema.properties as Record<string, { type?: string }>;
  assert.equal(properties.hidden.type, 'integer');
  assert.ok(bert4rec.presets.quick);
  for (const key of Object.keys(bert4rec.presets.quick)) assert.ok(key in properties, key);
  assert.deepEqual(
    models.find((m) => m.id === 'metapath2vec')!.inputs.map((i) => i.key),
    ['metapaths'],
  );
});

test('devices.probe lists the CPU as working and says why other providers are not', async () => {
  const probe = await dispatch('devices.probe', {}, { workspace: ':unused' });
  const cpu = probe.providers.find((p) => p.provider === 'cpu')!;
  assert.equal(cpu.works, true);
  for (const p of probe.providers.filter((p) => !p.works)) assert.ok(p.reason.length > 0, p.provider);
});

test('import.preview shows rows, delimiter and column roles, and reports a bad row with its line', async (t) => {
  const { dir, workspace } = fixture(t);
  const good = await dispatch(
    'import.preview',
    { kind: 'interactions', paths: [join(dir, 'log.csv')], rows: 3, budgetMs: 60_000 },
    { workspace },
  );
  assert.equal(good.format, 'csv');
  assert.equal(good.files[0].table?.delimiter, ';');
  assert.deepEqual(good.files[0].table?.header, ['user_id', 'movie', 'ts']);
  assert.deepEqual(good.files[0].rows[0], ['u0', good.files[0].rows[0][1], '1000']);
  assert.equal(good.files[0].rows.length, 3);
  // "movie" is no known item column: position 2 stands in, as the importer would take it
  assert.deepEqual(good.columns, { user: 0, item: 1, time: 2, rating: -1 });
  assert.equal(good.checked.complete, true);
  assert.equal(good.checked.rows, 1440);
  assert.deepEqual(good.errors, []);

  const bad = await dispatch(
    'import.preview',
    { kind: 'interactions', paths: [join(dir, 'bad.csv')], budgetMs: 60_000 },
    { workspace },
  );
  assert.equal(bad.errors.length, 1);
  assert.equal(bad.errors[0].line, 3);
  assert.match(bad.errors[0].file, /bad\.csv$/);
  assert.match(bad.errors[0].message, /expected 3 fields/);
  assert.equal(existsSync(workspace), false, 'the preview never writes the workspace');
});

test('training pauses with a checkpoint, resumes to the end, and shows in the run history', async (t) => {
  const { dir, workspace } = fixture(t);
  t.after(() => rmSync(`${workspace}.runs`, { recursive: true, force: true }));
  await dispatch(
    'import.run',
    { kind: 'interactions', paths: [join(dir, 'log.csv')], name: 'log' },
    { workspace },
  );
  const sample = await dispatch('datasets.sample', { name: 'log', rows: 2 }, { workspace });
  assert.deepEqual(
    sample.entities.map((e) => [e.type, e.total, e.rows.length]),
    [
      ['user', 120, 2],
      ['item', 40, 2],
    ],
  );
  assert.ok(sample.relations.length > 0);

  const config = { epochs: 2, batch_size: 16, hidden: 16, val_users: 50 };
  const events: { run: number | null; phase: string; loss?: number; fraction: number }[] = [];
  const first = await dispatch(
    'train.start',
    { dataset: 'log', model: 'bert4rec', preset: 'quick', config, device: 'cpu' },
    {
      workspace,
      onProgress(event) {
        events.push(event);
        if (event.phase === 'training' && event.run !== null && events.length >= 2) {
          void dispatch('train.pause', { run: event.run }, { workspace });
        }
      },
    },
  );
  assert.equal(first.status, 'paused');
  const training = events.filter((e) => e.phase === 'training');
  assert.ok(training.every((e) => typeof e.loss === 'number' && e.run === first.run));
  let { runs } = await dispatch('runs.list', {}, { workspace });
  assert.equal(runs[0].status, 'paused');
  assert.equal(runs[0].resumable, true);

  const fractions: number[] = [];
  const resumed = await dispatch(
    'train.start',
    { dataset: 'log', model: 'bert4rec', device: 'cpu', resume: first.run },
    { workspace, onProgress: (e) => fractions.push(e.fraction) },
  );
  assert.equal(resumed.status, 'done');
  assert.equal(resumed.run, first.run);
  assert.ok(fractions.every((f, k) => k === 0 || f >= fractions[k - 1]));
  ({ runs } = await dispatch('runs.list', {}, { workspace }));
  assert.equal(runs.length, 1);
  assert.equal(runs[0].status, 'done');
  assert.equal(runs[0].hasEmbeddings, true);
  assert.equal(runs[0].hasModel, true);
  assert.equal(runs[0].dataset, 'log');
  const { series } = await dispatch('runs.get', { run: first.run }, { workspace });
  assert.ok(series['val/pop100/NDCG@10'].steps.length >= 1);

  const exported = await dispatch(
    'export.model',
    { run: first.run, out: join(dir, 'model.onnx') },
    { workspace },
  );
  assert.ok(exported.bytes > 1000);
  await dispatch('runs.delete', { run: first.run }, { workspace });
  ({ runs } = await dispatch('runs.list', {}, { workspace }));
  assert.equal(runs.length, 0);
  await assert.rejects(
    dispatch('runs.get', { run: first.run }, { workspace }),
    (e: ApiError) => e.code === 'not-found',
  );
});

test('train.start names a wrong preset and an unknown setting', async (t) => {
  const { dir, workspace } = fixture(t);
  await dispatch(
    'import.run',
    { kind: 'interactions', paths: [join(dir, 'log.csv')], name: 'log' },
    { workspace },
  );
  await assert.rejects(
    dispatch('train.start', { dataset: 'log', model: 'bert4rec', preset: 'huge' }, { workspace }),
    (e: ApiError) => e.code === 'invalid-input' && /no preset "huge"/.test(e.message),
  );
  await assert.rejects(
    dispatch('train.start', { dataset: 'log', model: 'bert4rec', config: { hiden: 3 } }, { workspace }),
    (e: ApiError) => e.code === 'invalid-input' && /hiden/.test(e.message),
  );
});
