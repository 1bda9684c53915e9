import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';

export const listResumableRuns: Handler<'runs.resumable'> = async (_input, { workspace: path }) => {
  const workspace = openWorkspace(path, { readonly: true });
  try {
    const runs = workspace.runs.list().filter((run) => run.status === 'paused');
    return {
      runs: runs.flatMap((run) => {
        const last = workspace.runs.checkpoints(run.id).at(-1);
        if (!last) return [];
        return [
          {
            id: run.id,
            model: run.model,
            dataset: workspace.datasets.get(run.datasetId)?.name ?? `dataset ${run.datasetId}`,
            step: last.step,
            checkpointAt: last.createdAt,
            device: run.device,
            config: run.config,
          },
        ];
      }),
    };
  } finally {
    workspace.close();
  }
};
