// One renderer build at a time across processes. The UI test files run in parallel and each makes
// sure renderer/dist is current, as does `bench explorer`: two vite builds into one folder empty
// each other's output (seen in CI: ENOTEMPTY, then pages that never connected). A directory is
// the lock because mkdir is atomic; a lock older than STALE_MS is from a killed process.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const STALE_MS = 10 * 60 * 1000;
const POLL_MS = 200;

export function withBuildLock<T>(root: string, build: () => T): T {
  const lock = join(root, 'renderer', '.build-lock');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // released between the mkdir and the stat: try again
      }
      Atomics.wait(pause, 0, 0, POLL_MS);
    }
  }
  try {
    return build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
