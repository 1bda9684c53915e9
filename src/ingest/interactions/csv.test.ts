import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openWorkspace } from '../../workspace/index.ts';
import { runImport } from '../registry.ts';
import { InputError } from '../types.ts';

// The csv importer reads plain rows from bytes and the rest as strings; these check that both
// paths name the same entities and report errors alike.

const dir = mkdtempSync(join(tmpdir(), 'csv-interactions-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fixture(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

test('integer keys read from bytes and the same keys read as strings are one entity; "007" is not 7', async () => {
  const ws = openWorkspace(join(dir, 'keys.constellation'));
  try {
    const file = fixture(
      'keys.csv',
      'user,item,timestamp\n7,10,100\n"7",10,101\n 7 ,u7,102\n007,10,103\n8,"10",1.5\n5000000,10,-3\n',
    );
    const d = await runImport(ws, { kind: 'interactions', paths: [file], name: 'keys', format: 'csv' });
    const users = ws.entities.keys(ws.entities.type(d.id, 'user')!.id);
    const items = ws.entities.keys(ws.entities.type(d.id, 'item')!.id);
    assert.deepEqual(users, ['7', '007', '8', '5000000']);
    assert.deepEqual(items, ['10', 'u7']);
    const arrays = ws.relations.arrays(ws.entities.relationType(d.id, 'interacted')!.id);
    assert.deepEqual([...arrays.source], [0, 0, 0, 1, 2, 3]);
    assert.deepEqual([...arrays.target], [0, 0, 1, 0, 0, 0]);
    assert.deepEqual([...arrays.time!], [100, 101, 102, 103, 1.5, -3]);
  } finally {
    ws.close();
  }
});

test('errors on rows read from bytes name the line and the column', async () => {
  const ws = openWorkspace(join(dir, 'errors.constellation'));
  try {
    const cases: [string, number, string | null, RegExp][] = [
      ['user,item,timestamp\n1,2,3\n1,2,soon\n', 3, 'timestamp', /expected a timestamp/],
      ['user,item,timestamp\n1,2,3\n\n1,,4\n', 4, 'item', /expected a key/],
      ['user,item,timestamp\n1,2,3\n1,2\n', 3, null, /expected 3 fields/],
      ['user,item,timestamp\n1,2,3\n1,2,3,4\n', 3, null, /expected 3 fields/],
    ];
    for (const [i, [content, line, field, problem]] of cases.entries()) {
      const file = fixture(`bad-${i}.csv`, content);
      await assert.rejects(
        runImport(ws, { kind: 'interactions', paths: [file], name: `bad-${i}`, format: 'csv' }),
        (error: unknown) => {
          assert.ok(error instanceof InputError, String(error));
          assert.equal(error.file, file);
          assert.equal(error.line, line);
          assert.equal(error.field, field);
          assert.match(error.problem, problem);
          return true;
        },
      );
    }
    assert.deepEqual(ws.datasets.list(), []);
  } finally {
    ws.close();
  }
});
