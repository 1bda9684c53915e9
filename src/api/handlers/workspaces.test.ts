// workspaces.recent through the dispatcher, on real workspace files listed in a settings folder of
// the test's own (CONSTELLATION_CONFIG_DIR), as the app's menu leaves them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { recentWorkspacesFile, rememberWorkspace } from '../../workspace/recent-workspaces.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { dispatch } from '../dispatcher.ts';

test('workspaces.recent lists the other recent workspaces with their datasets, and a damaged one with the reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-recent-'));
  const before = process.env.CONSTELLATION_CONFIG_DIR;
  process.env.CONSTELLATION_CONFIG_DIR = join(dir, 'settings');
  t.after(() => {
    if (before === undefined) delete process.env.CONSTELLATION_CONFIG_DIR;
    else process.env.CONSTELLATION_CONFIG_DIR = before;
    rmSync(dir, { recursive: true, force: true });
  });
  const [current, other, empty, damaged] = ['current', 'other', 'empty', 'damaged'].map((n) =>
    join(dir, `${n}.constellation`),
  );
  writeFileSync(join(dir, 'log.csv'), 'user,item,timestamp\nu1,i1,1\nu1,i2,2\nu2,i1,3\n');
  await dispatch(
    'import.run',
    { kind: 'interactions', paths: [join(dir, 'log.csv')], name: 'log' },
    { workspace: other },
  );
  for (const path of [empty, current]) openWorkspace(path).close();
  writeFileSync(damaged, 'not a workspace');
  const file = recentWorkspacesFile();
  for (const path of [damaged, empty, other, current]) rememberWorkspace(file, path);
  rememberWorkspace(file, join(dir, 'gone.constellation'));

  const recent = await dispatch('workspaces.recent', {}, { workspace: current });
  assert.equal(recent.file, join(dir, 'settings', 'recent-workspaces.json'));
  // newest first, the one this connection serves left out, a file that is gone dropped
  assert.deepEqual(
    recent.workspaces.map((w) => w.name),
    ['other', 'empty', 'damaged'],
  );
  const [withLog, withNothing, broken] = recent.workspaces;
  assert.deepEqual(
    withLog.datasets?.map((d) => [d.name, d.stats.interactions?.users, d.stats.interactions?.interactions]),
    [['log', 2, 3]],
  );
  assert.equal(withLog.runs, 0);
  assert.equal(withLog.problem, null);
  assert.deepEqual(withNothing.datasets, []);
  assert.equal(broken.datasets, null);
  assert.match(broken.problem ?? '', /./);
});
