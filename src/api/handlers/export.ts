import { resolve } from 'node:path';
import { exportEmbeddingsJob, exportNetworkJob } from '../../jobs/export-job.ts';
import { runJob } from '../../jobs/run-job.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';
import { requireDataset, withWorkspace } from './datasets.ts';

// Output paths are resolved here, like import paths: the result names the files wherever the
// command ran, and the worker thread never depends on a relative path.

export const exportEmbeddingsCommand: Handler<'export.embeddings'> = async (
  { run, format, out },
  { workspace, signal },
) => {
  const started = performance.now();
  withWorkspace(workspace, true, (ws) => {
    if (ws.runs.get(run)) return;
    const ids = ws.runs.list().map((r) => r.id);
    throw new ApiError({
      code: 'not-found',
      message: `no run ${run} in ${ws.path}${ids.length ? ` (there are: ${ids.join(', ')})` : ' (it has none yet)'}`,
    });
  });
  const written = await runJob(
    exportEmbeddingsJob,
    { workspace: resolve(workspace), run, format, out: resolve(out) },
    { signal },
  );
  return { run, format, ...written, seconds: (performance.now() - started) / 1000 };
};

export const exportNetworkCommand: Handler<'export.network'> = async (
  { dataset, format, out },
  { workspace, signal },
) => {
  const started = performance.now();
  const datasetId = withWorkspace(workspace, true, (ws) => {
    const found = requireDataset(ws, dataset);
    if (found.kind === 'images' || found.kind === 'videos') {
      throw new ApiError({
        code: 'refused',
        message: `${dataset} is an ${found.kind} dataset: it has no relations to write as a network`,
      });
    }
    return found.id;
  });
  const file = resolve(out);
  const counts = await runJob(
    exportNetworkJob,
    { workspace: resolve(workspace), datasetId, out: file },
    { signal },
  );
  return { dataset, format, files: [file], ...counts, seconds: (performance.now() - started) / 1000 };
};
