import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dispatch } from './dispatcher.ts';
import { ApiError } from './schema/errors.ts';
import { ImportProgress } from './schema/import.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-api-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const isApiError =
  (code: ApiError['code'], check: (e: ApiError) => void = () => {}) =>
  (error: unknown) => {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${error}`);
    assert.equal(error.code, code, error.message);
    check(error);
    return true;
  };

test('invalid input is refused before any work, naming each field path', async (t) => {
  const workspace = join(tempDir(t), 'w.constellation');
  await assert.rejects(
    dispatch('import.run', { kind: 'interactions', paths: [], name: 'a/b' }, { workspace }),
    isApiError('invalid-input', (e) => {
      const paths = e.data.issues!.map((i) => i.path.join('.'));
      assert.deepEqual(paths.sort(), ['name', 'paths']);
      assert.match(e.message, /^import\.run: /);
    }),
  );
  await assert.rejects(
    dispatch('import.run', { kind: 'graph', paths: ['x'], name: 'n' } as never, { workspace }),
    isApiError('invalid-input', (e) => assert.deepEqual(e.data.issues![0].path, ['kind'])),
  );
  await assert.rejects(dispatch('nope', {}, { workspace }), isApiError('unknown-command'));
});

test('import, list, rename and delete through the dispatcher', async (t) => {
  const dir = tempDir(t);
  const workspace = join(dir, 'w.constellation');
  const file = join(dir, 'log.tsv');
  writeFileSync(file, 'u1\ti1\t10\t4\nu1\ti2\t20\t5\nu2\ti1\t15\t3\n');
  const progress: unknown[] = [];
  const summary = await dispatch(
    'import.run',
    {
      kind: 'interactions',
      paths: [file],
      name: 'log',
      format: 'csv',
      options: { delimiter: '\t', header: false, user: 1, item: 2, time: 3, rating: 4 },
    },
    { workspace, onProgress: (p) => progress.push(p) },
  );
  assert.deepEqual(
    { ...summary, seconds: 0 },
    {
      dataset: 'log',
      kind: 'interactions',
      entities: 4,
      relations: 3,
      media: 0,
      seconds: 0,
    },
  );
  assert.ok(progress.length > 0);
  for (const event of progress) ImportProgress.parse(event);

  const { datasets } = await dispatch('datasets.list', {}, { workspace });
  assert.equal(datasets.length, 1);
  assert.deepEqual(datasets[0].stats.interactions?.sequenceLength, {
    min: 1,
    median: 1.5,
    mean: 1.5,
    max: 2,
  });

  await assert.rejects(
    dispatch(
      'import.run',
      {
        kind: 'interactions',
        paths: [file],
        name: 'log',
        format: 'csv',
        options: { delimiter: '\t', header: false },
      },
      { workspace },
    ),
    isApiError('conflict'),
  );
  const renamed = await dispatch('datasets.rename', { name: 'log', newName: 'ratings' }, { workspace });
  assert.equal(renamed.dataset.name, 'ratings');
  await assert.rejects(
    dispatch('datasets.delete', { name: 'log' }, { workspace }),
    isApiError('not-found', (e) => assert.match(e.message, /there are: ratings/)),
  );
  assert.deepEqual(await dispatch('datasets.delete', { name: 'ratings' }, { workspace }), {
    deleted: 'ratings',
  });
  assert.deepEqual((await dispatch('datasets.list', {}, { workspace })).datasets, []);
});

test('bad data comes back as bad-data with file, line and field', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'log.csv');
  writeFileSync(file, 'user,item,timestamp\nu1,i1,10\nu2,i2,noon\n');
  await assert.rejects(
    dispatch(
      'import.run',
      { kind: 'interactions', paths: [file], name: 'log' },
      { workspace: join(dir, 'w.constellation') },
    ),
    isApiError('bad-data', (e) => {
      assert.equal(e.data.file, file);
      assert.equal(e.data.line, 3);
      assert.ok(e.data.field);
    }),
  );
});

test('a cancelled import reports cancelled', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'log.csv');
  writeFileSync(file, 'user,item,timestamp\nu1,i1,10\n');
  await assert.rejects(
    dispatch(
      'import.run',
      { kind: 'interactions', paths: [file], name: 'log' },
      { workspace: join(dir, 'w.constellation'), signal: AbortSignal.abort() },
    ),
    isApiError('cancelled'),
  );
});

test('the import formats are listed per kind', async (t) => {
  const { importers } = await dispatch(
    'import.formats',
    { kind: 'images' },
    { workspace: join(tempDir(t), 'w') },
  );
  assert.ok(importers.some((i) => i.format === 'folder'));
  assert.ok(importers.every((i) => i.kind === 'images'));
});
