import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ImportProgress } from '../ingest/types.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { JobFailed } from './errors.ts';
import { importJob } from './import-job.ts';
import { runJob } from './run-job.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-import-job-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A user,item,timestamp log large enough to span several progress events (one per 50,000 rows). */
function writeLog(file: string, rows: number): void {
  const lines = ['user,item,timestamp'];
  for (let i = 0; i < rows; i++) lines.push(`u${i % 997},i${(i * 7) % 1009},${1_600_000_000 + i}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function datasetNames(path: string): string[] {
  const workspace = openWorkspace(path, { readonly: true });
  try {
    return workspace.datasets.list().map((d) => d.name);
  } finally {
    workspace.close();
  }
}

test('an import job reports progress and commits the dataset', async (t) => {
  const dir = tempDir(t);
  const workspace = join(dir, 'w.constellation');
  writeLog(join(dir, 'log.csv'), 120_000);
  const events: ImportProgress[] = [];
  const result = await runJob(
    importJob,
    {
      workspace,
      kind: 'interactions',
      paths: [join(dir, 'log.csv')],
      name: 'log',
      format: 'csv',
      options: {},
    },
    { onProgress: (p) => events.push(p) },
  );
  assert.equal(result.dataset, 'log');
  assert.equal(result.relations, 120_000);
  assert.equal(result.entities, 997 + 1009);
  assert.ok(events.length >= 2, `expected several progress events, got ${events.length}`);
  assert.ok(events.at(-1)!.rows >= events[0].rows);
  assert.deepEqual(datasetNames(workspace), ['log']);
});

test('cancelling mid-import rolls back in the worker and leaves the workspace unchanged', async (t) => {
  const dir = tempDir(t);
  const workspace = join(dir, 'w.constellation');
  writeFileSync(join(dir, 'small.csv'), 'user,item,timestamp\na,x,1\nb,y,2\n');
  await runJob(importJob, {
    workspace,
    kind: 'interactions',
    paths: [join(dir, 'small.csv')],
    name: 'before',
    options: {},
  });
  writeLog(join(dir, 'big.csv'), 400_000);
  const controller = new AbortController();
  const events: ImportProgress[] = [];
  await assert.rejects(
    runJob(
      importJob,
      { workspace, kind: 'interactions', paths: [join(dir, 'big.csv')], name: 'big', options: {} },
      {
        signal: controller.signal,
        onProgress: (p) => {
          events.push(p);
          controller.abort();
        },
      },
    ),
    (error: unknown) => error instanceof JobFailed && error.name === 'ImportCancelled',
  );
  assert.ok(events.length >= 1 && events[0].rows < 400_000, 'cancelled while rows were still coming');
  assert.deepEqual(datasetNames(workspace), ['before']);
  // The rolled-back import released the write lock: the next import goes through.
  await runJob(importJob, {
    workspace,
    kind: 'interactions',
    paths: [join(dir, 'small.csv')],
    name: 'after',
    options: {},
  });
  assert.deepEqual(datasetNames(workspace), ['before', 'after']);
});

test('bad data in the worker surfaces with file, line and the worker stack', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'bad.csv');
  writeFileSync(file, 'user,item,timestamp\na,x,1\nb,y,yesterday\n');
  await assert.rejects(
    runJob(importJob, {
      workspace: join(dir, 'w.constellation'),
      kind: 'interactions',
      paths: [file],
      name: 'bad',
      format: 'csv',
      options: {},
    }),
    (error: unknown) => {
      assert.ok(error instanceof JobFailed);
      assert.equal(error.name, 'InputError');
      assert.equal(error.fields.file, file);
      assert.equal(error.fields.line, 3);
      assert.match(error.message, /bad\.csv:3/);
      assert.match(error.stack ?? '', /src\/ingest\//);
      return true;
    },
  );
});

test('an import of a missing path fails before the workspace file is created', async (t) => {
  const dir = tempDir(t);
  const workspace = join(dir, 'w.constellation');
  const missing = join(dir, 'no-such.csv');
  await assert.rejects(
    runJob(importJob, { workspace, kind: 'interactions', paths: [missing], name: 'x', options: {} }),
    (error: unknown) => {
      assert.ok(error instanceof JobFailed);
      assert.equal(error.name, 'InputError');
      assert.equal(error.fields.file, missing);
      assert.match(error.message, /no such file/);
      return true;
    },
  );
  assert.equal(existsSync(workspace), false);
});
