import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultSize, readWindowState, restoredBounds, writeWindowState } from './window-state.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-shell-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const laptop = { x: 0, y: 0, width: 1920, height: 1080 };

test('window state round-trips and is restored only where it is still visible', (t) => {
  const file = join(tempDir(t), 'window-state.json');
  assert.equal(readWindowState(file), null, 'first start');
  const saved = { x: 100, y: 80, width: 1400, height: 900, maximized: false };
  writeWindowState(file, saved);
  assert.deepEqual(readWindowState(file), saved);
  assert.deepEqual(restoredBounds(readWindowState(file), [laptop]), {
    x: 100,
    y: 80,
    width: 1400,
    height: 900,
  });
  // It was on a second monitor that is gone now: same size, placed by Electron.
  const elsewhere = { ...saved, x: 2500 };
  assert.deepEqual(restoredBounds(elsewhere, [laptop]), { width: 1400, height: 900 });
  writeFileSync(file, '{"x": "left"}');
  assert.equal(readWindowState(file), null, 'a broken file is ignored');
  assert.deepEqual(restoredBounds(null, [laptop]), defaultSize);
});
