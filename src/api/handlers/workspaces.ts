// workspaces.recent: the recent workspaces of the app's list, each opened read-only for its
// datasets' statistics. A file that cannot be read (another version, damaged) is listed with the
// reason instead of failing the whole list.
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { readRecentWorkspaces, recentWorkspacesFile } from '../../workspace/recent-workspaces.ts';
import type { Handler } from '../handler.ts';
import { withWorkspace } from './datasets.ts';

export const recentWorkspaces: Handler<'workspaces.recent'> = async (_input, { workspace }) => {
  const file = recentWorkspacesFile();
  const current = resolve(workspace);
  const workspaces = readRecentWorkspaces(file)
    .filter((path) => resolve(path) !== current)
    .map((path) => {
      const stat = statSync(path);
      const entry = {
        path,
        name: basename(path).replace(/\.[^.]+$/, ''),
        bytes: stat.size,
        modifiedAt: stat.mtime.toISOString(),
      };
      try {
        return withWorkspace(path, true, (ws) => ({
          ...entry,
          datasets: ws.datasets.list(),
          runs: ws.runs.list().length,
          problem: null,
        }));
      } catch (error) {
        return { ...entry, datasets: null, runs: null, problem: (error as Error).message };
      }
    });
  return { file, workspaces };
};
