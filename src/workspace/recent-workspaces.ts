// The recent workspaces: the last ten workspace files opened in the app, newest first, in
// recent-workspaces.json of Constellation's settings folder. The Electron menu writes the list;
// the Home view of the app and of serve mode reads the same file. Files that no longer exist are
// dropped when read.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

const keep = 10;

/**
 * Constellation's settings folder: what Electron calls the packaged app's userData (the platform's
 * settings folder + the product name), so the app and serve mode find one list.
 * CONSTELLATION_CONFIG_DIR moves it (tests, portable installs).
 */
export function settingsFolder(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): string {
  if (env.CONSTELLATION_CONFIG_DIR) return resolve(env.CONSTELLATION_CONFIG_DIR);
  const base =
    platform === 'win32'
      ? (env.APPDATA ?? join(home, 'AppData', 'Roaming'))
      : platform === 'darwin'
        ? join(home, 'Library', 'Application Support')
        : env.XDG_CONFIG_HOME || join(home, '.config');
  return join(base, 'Constellation');
}

export const recentWorkspacesFile = (folder = settingsFolder()): string =>
  join(folder, 'recent-workspaces.json');

export function readRecentWorkspaces(file: string): string[] {
  try {
    const parsed = z.array(z.string()).safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data.filter((path) => existsSync(path)) : [];
  } catch {
    return [];
  }
}

/** Puts `workspace` first and saves the list; returns it. */
export function rememberWorkspace(file: string, workspace: string): string[] {
  const path = resolve(workspace);
  const list = [path, ...readRecentWorkspaces(file).filter((p) => p !== path)].slice(0, keep);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(list, null, 2)}\n`);
  return list;
}
