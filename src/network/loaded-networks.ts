// The networks the network view walks, kept in memory between requests: an ego expansion costs
// microseconds on CSR arrays, a reload of the relations seconds. A dataset never changes after its
// import, so (workspace file, dataset id, creation time) names one network for good.
import { resolve } from 'node:path';
import { runJob } from '../jobs/run-job.ts';
import type { Dataset } from '../workspace/types.ts';
import type { HeterogeneousNetwork } from './heterogeneous-network.ts';
import { loadNetworkJob } from './network-job.ts';

/** Networks kept at once: the one being explored and the one before it. */
const kept = 2;
const networks = new Map<string, Promise<HeterogeneousNetwork>>();

export function loadedNetwork(workspace: string, dataset: Dataset): Promise<HeterogeneousNetwork> {
  const path = resolve(workspace);
  const name = `${path}\n${dataset.id}\n${dataset.createdAt}`;
  let network = networks.get(name);
  if (network) {
    // most recently used last
    networks.delete(name);
    networks.set(name, network);
    return network;
  }
  network = runJob(loadNetworkJob, { workspace: path, dataset: dataset.id });
  networks.set(name, network);
  network.catch(() => networks.delete(name));
  while (networks.size > kept) networks.delete(networks.keys().next().value!);
  return network;
}
