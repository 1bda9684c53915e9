import type { Workspace } from '../../workspace/workspace.ts';
import { writeGexf } from '../network/gexf-writer.ts';

/**
 * Writes a dataset's entities and typed relations as GEXF for Gephi, streamed from the workspace
 * in batches; the gexf importer reads the file back into the same entity and relation types.
 */
export function exportNetworkGexf(
  workspace: Workspace,
  datasetId: number,
  path: string,
): Promise<{ nodes: number; edges: number }> {
  return writeGexf(path, {
    nodeAttributes: workspace.entities.attributeNames(datasetId),
    nodes: workspace.entities.nodes(datasetId),
    edges: workspace.relations.edges(datasetId),
  });
}
