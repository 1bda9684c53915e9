import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Workspace } from '../workspace/index.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { entityDegrees } from './entity-degrees.ts';

test("an interaction log's degrees are each item's popularity and each user's activity, by entity id", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-degrees-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const workspace = join(dir, 'ws.constellation');
  const ws = openWorkspace(workspace);
  const session = ws.beginImport({
    name: 'log',
    kind: 'interactions',
    source: { format: 'test', paths: [] },
  });
  session.addEntities('user', [{ key: 'u0' }, { key: 'u1' }, { key: 'u2' }]);
  session.addEntities('item', [{ key: 'i0' }, { key: 'i1' }]);
  session.relationType('interacted', 'user', 'item');
  session.addRelations('interacted', [0, 0, 1], [1, 0, 1]);
  const dataset = session.commit();
  const ids = (type: string) => Array.from(ws.entities.ids(ws.entities.type(dataset.id, type)!.id));
  const [users, items] = [ids('user'), ids('item')];
  ws.close();

  const read = <T>(use: (ws: Workspace) => T) => {
    const opened = openWorkspace(workspace, { readonly: true });
    try {
      return Promise.resolve(use(opened));
    } finally {
      opened.close();
    }
  };
  const { first, degrees } = await entityDegrees(workspace, dataset, read);
  const of = (id: number) => degrees[id - first];
  assert.deepEqual(users.map(of), [2, 1, 0]);
  assert.deepEqual(items.map(of), [1, 2]);
  assert.equal(await entityDegrees(workspace, dataset, read), await entityDegrees(workspace, dataset, read));
});
