// Reading a dataset's relations into CSR takes seconds for millions of relations: a worker thread
// does it, and its arrays live on SharedArrayBuffers, so the result reaches the caller uncopied.
import { defineJob } from '../jobs/job.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { type HeterogeneousNetwork, loadNetwork } from './heterogeneous-network.ts';

export const loadNetworkJob = defineJob<{ workspace: string; dataset: number }, HeterogeneousNetwork>(
  import.meta.url,
  'load-network',
  async ({ workspace, dataset }) => {
    const ws = openWorkspace(workspace, { readonly: true });
    try {
      return loadNetwork(ws, dataset);
    } finally {
      ws.close();
    }
  },
);
