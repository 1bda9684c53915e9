import { openWorkspace, type Workspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';

export function withWorkspace<T>(path: string, readonly: boolean, use: (workspace: Workspace) => T): T {
  const workspace = openWorkspace(path, { readonly });
  try {
    return use(workspace);
  } finally {
    workspace.close();
  }
}

export function requireDataset(workspace: Workspace, name: string) {
  const dataset = workspace.datasets.byName(name);
  if (dataset) return dataset;
  const names = workspace.datasets.list().map((d) => d.name);
  throw new ApiError({
    code: 'not-found',
    message: `no dataset named "${name}" in ${workspace.path}${names.length ? ` (there are: ${names.join(', ')})` : ' (it has none yet)'}`,
  });
}

export const listDatasets: Handler<'datasets.list'> = async (_input, { workspace }) =>
  withWorkspace(workspace, true, (ws) => ({ datasets: ws.datasets.list() }));

export const renameDataset: Handler<'datasets.rename'> = async ({ name, newName }, { workspace }) =>
  withWorkspace(workspace, false, (ws) => ({
    dataset: ws.datasets.rename(requireDataset(ws, name).id, newName),
  }));

export const deleteDataset: Handler<'datasets.delete'> = async ({ name }, { workspace }) =>
  withWorkspace(workspace, false, (ws) => {
    ws.datasets.delete(requireDataset(ws, name).id);
    return { deleted: name };
  });
