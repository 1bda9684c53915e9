// How many relations touch each entity of a dataset (for an interaction log: a user's or an item's
// interactions), indexed by workspace entity id, for the explorer to size points by. Computed once
// per dataset from its loaded network and kept: the explorer asks page by page, and re-reading
// every entity id per page made a 1M-point projection read 10M ids.
import { resolve } from 'node:path';
import type { Workspace } from '../workspace/index.ts';
import type { Dataset } from '../workspace/types.ts';
import { loadedNetwork } from './loaded-networks.ts';
import { degreeOf, nodeOf } from './neighbourhood.ts';

export interface EntityDegrees {
  /** the smallest entity id of the dataset: degrees[id - first] */
  first: number;
  /** -1 where an id in the block is no entity of the dataset */
  degrees: Int32Array;
}

/** Datasets kept at once, as loaded-networks keeps their networks. */
const kept = 2;
const computed = new Map<string, Promise<EntityDegrees>>();

/** The dataset's degrees; `read` lends a workspace connection (closed after `use`) to read entity ids. */
export function entityDegrees(
  workspace: string,
  dataset: Dataset,
  read: <T>(use: (ws: Workspace) => T) => Promise<T>,
): Promise<EntityDegrees> {
  const name = `${resolve(workspace)}\n${dataset.id}\n${dataset.createdAt}`;
  let found = computed.get(name);
  if (!found) {
    found = (async () => {
      const network = await loadedNetwork(workspace, dataset);
      return read((ws) => {
        // the network numbers its types in the order the workspace lists them, entities by idx
        const byType = ws.entities.types(dataset.id).map((type) => ws.entities.ids(type.id));
        let [first, last] = [Number.POSITIVE_INFINITY, -1];
        for (const ids of byType)
          for (const id of ids) [first, last] = [Math.min(first, id), Math.max(last, id)];
        const degrees = new Int32Array(last >= first ? last - first + 1 : 0).fill(-1);
        byType.forEach((ids, position) => {
          ids.forEach((id, idx) => {
            degrees[id - first] = degreeOf(network, nodeOf(network, position, idx));
          });
        });
        return { first, degrees };
      });
    })();
    computed.set(name, found);
    found.catch(() => computed.delete(name));
    while (computed.size > kept) computed.delete(computed.keys().next().value!);
  } else {
    computed.delete(name);
    computed.set(name, found);
  }
  return found;
}
