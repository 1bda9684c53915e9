import type { Workspace } from '../../workspace/workspace.ts';
import { writeGexf } from '../network/gexf-writer.ts';

/** Stops the stream when the export is cancelled: the writer then removes its unfinished file. */
function* untilAborted<T>(items: Iterable<T>, signal: AbortSignal | undefined): Generator<T> {
  for (const item of items) {
    signal?.throwIfAborted();
    yield item;
  }
}

/**
 * Writes a dataset's entities and typed relations as GEXF for Gephi, streamed from the workspace
 * in batches; the gexf importer reads the file back into the same entity and relation types.
 */
export function exportNetworkGexf(
  workspace: Workspace,
  datasetId: number,
  path: string,
  signal?: AbortSignal,
): Promise<{ nodes: number; edges: number }> {
  return writeGexf(path, {
    nodeAttributes: workspace.entities.attributeNames(datasetId),
    nodes: untilAborted(workspace.entities.nodes(datasetId), signal),
    edges: untilAborted(workspace.relations.edges(datasetId), signal),
  });
}
