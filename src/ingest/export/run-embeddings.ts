import { WorkspaceError } from '../../workspace/errors.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { type EmbeddingFormat, exportEmbeddings } from './embeddings.ts';

export interface RunEmbeddingsExport {
  files: string[];
  rows: number;
  dim: number;
}

/** A metadata column is worth writing only when some entity has a value in it. */
const present = (column: readonly (string | null)[]): readonly (string | null)[] | null =>
  column.some((value) => value !== null) ? column : null;

/**
 * Writes the embeddings a run stored, one row per entity in entity id order, with each entity's
 * key, type, label and class beside its vector (label and class columns only when some entity has one).
 */
export async function exportRunEmbeddings(
  workspace: Workspace,
  runId: number,
  format: EmbeddingFormat,
  path: string,
  signal?: AbortSignal,
): Promise<RunEmbeddingsExport> {
  const matrix = workspace.embeddings.get(runId);
  if (!matrix) throw new WorkspaceError(`run ${runId} has stored no embeddings yet`);
  const who = workspace.entities.describe(matrix.entityIds);
  // the writers themselves run to the end once started; a cancel before them writes nothing
  signal?.throwIfAborted();
  const files = await exportEmbeddings({
    format,
    path,
    keys: who.keys,
    types: who.types,
    labels: present(who.labels),
    classes: present(who.classes),
    vectors: matrix.vectors,
    dim: matrix.dim,
  });
  return { files, rows: matrix.entityIds.length, dim: matrix.dim };
}
