import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  readRecentWorkspaces,
  recentWorkspacesFile,
  rememberWorkspace,
  settingsFolder,
} from './recent-workspaces.ts';

test('recent workspaces: newest first, no duplicates, missing files dropped', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-recent-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const list = recentWorkspacesFile(join(dir, 'settings'));
  const [a, b] = [join(dir, 'a.constellation'), join(dir, 'b.constellation')];
  writeFileSync(a, '');
  writeFileSync(b, '');
  assert.deepEqual(readRecentWorkspaces(list), [], 'no list yet');
  rememberWorkspace(list, a);
  rememberWorkspace(list, b);
  assert.deepEqual(rememberWorkspace(list, a), [a, b]);
  rmSync(b);
  assert.deepEqual(readRecentWorkspaces(list), [a]);
  writeFileSync(list, '{"not": "a list"}');
  assert.deepEqual(readRecentWorkspaces(list), [], 'a broken file is ignored');
});

test("the settings folder is where Electron keeps the packaged app's userData", () => {
  const home = '/home/ada';
  assert.equal(settingsFolder({}, 'linux', home), '/home/ada/.config/Constellation');
  assert.equal(settingsFolder({ XDG_CONFIG_HOME: '/cfg' }, 'linux', home), '/cfg/Constellation');
  assert.equal(settingsFolder({}, 'darwin', home), '/home/ada/Library/Application Support/Constellation');
  assert.equal(
    settingsFolder({ APPDATA: 'C:/Users/ada/AppData/Roaming' }, 'win32', home).replaceAll('\\', '/'),
    'C:/Users/ada/AppData/Roaming/Constellation',
  );
  assert.equal(settingsFolder({ CONSTELLATION_CONFIG_DIR: '/tmp/c' }, 'linux', home), '/tmp/c');
});
