import type { EmbeddingMatrix, Workspace } from '../workspace/index.ts';

/** A request about a run the workspace cannot answer: no such run, no vectors, no such entity. */
export class AnalysisError extends Error {
  override name = 'AnalysisError';
}

/** A run's stored vectors, or an AnalysisError saying why there are none. */
export function runVectors(workspace: Workspace, runId: number): EmbeddingMatrix {
  const run = workspace.runs.get(runId);
  if (!run) throw new AnalysisError(`no run with id ${runId} in ${workspace.path}`);
  const matrix = workspace.embeddings.get(runId);
  if (!matrix) throw new AnalysisError(`run ${runId} stored no embeddings (status ${run.status})`);
  return matrix;
}
