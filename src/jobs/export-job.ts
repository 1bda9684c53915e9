// Exports as jobs: writing a million vectors or edges is seconds of work that must not block the
// thread serving a UI. Each job opens the workspace read-only, so an import may go on meanwhile.
import type { EmbeddingFormat } from '../ingest/export/embeddings.ts';
import { exportNetworkGexf } from '../ingest/export/network-gexf.ts';
import { exportRunEmbeddings, type RunEmbeddingsExport } from '../ingest/export/run-embeddings.ts';
import { openWorkspace, type Workspace } from '../workspace/workspace.ts';
import { defineJob } from './job.ts';

async function readingWorkspace<T>(path: string, use: (workspace: Workspace) => Promise<T>): Promise<T> {
  const workspace = openWorkspace(path, { readonly: true });
  try {
    return await use(workspace);
  } finally {
    workspace.close();
  }
}

export const exportEmbeddingsJob = defineJob<
  { workspace: string; run: number; format: EmbeddingFormat; out: string },
  RunEmbeddingsExport
>(import.meta.url, 'export-embeddings', async ({ workspace, run, format, out }, { signal }) =>
  readingWorkspace(workspace, (ws) => exportRunEmbeddings(ws, run, format, out, signal)),
);

export const exportNetworkJob = defineJob<
  { workspace: string; datasetId: number; out: string },
  { nodes: number; edges: number }
>(import.meta.url, 'export-network', async ({ workspace, datasetId, out }, { signal }) =>
  readingWorkspace(workspace, (ws) => exportNetworkGexf(ws, datasetId, out, signal)),
);
