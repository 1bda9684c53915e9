// File > Recent workspaces: the last ten workspace files opened, newest first, in
// userData/recent-workspaces.json. Files that no longer exist are dropped when read.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

const keep = 10;

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
  writeFileSync(file, `${JSON.stringify(list, null, 2)}\n`);
  return list;
}
