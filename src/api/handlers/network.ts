import { gexfText } from '../../ingest/network/gexf-writer.ts';
import type { HeterogeneousNetwork } from '../../network/heterogeneous-network.ts';
import { loadedNetwork } from '../../network/loaded-networks.ts';
import {
  degreeByRelation,
  degreeOf,
  edgesTouching,
  entityOf,
  expand,
  nodeCount,
  nodeOf,
  snowballSample,
} from '../../network/neighbourhood.ts';
import type { Entity, Workspace } from '../../workspace/index.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';
import type { NetworkNode } from '../schema/network.ts';

interface Opened {
  ws: Workspace;
  network: HeterogeneousNetwork;
  /** workspace entity type id of each network type position */
  typeIds: number[];
  /** refuses a node id outside the network, naming the range there is */
  check(node: number): void;
}

async function withNetwork<T>(
  workspace: string,
  dataset: string,
  command: string,
  use: (opened: Opened) => T | Promise<T>,
): Promise<T> {
  const ws = openWorkspace(workspace, { readonly: true });
  try {
    const found = ws.datasets.require(dataset);
    const network = await loadedNetwork(workspace, found);
    const typeIds = ws.entities.types(found.id).map((t) => t.id);
    const check = (node: number) => {
      if (node >= nodeCount(network)) {
        throw new ApiError({
          code: 'not-found',
          message: `dataset "${dataset}" has no node ${node} (its nodes are 0..${nodeCount(network) - 1})`,
          command,
        });
      }
    };
    return await use({ ws, network, typeIds, check });
  } finally {
    ws.close();
  }
}

/** The entities behind node ids, in the order given, read type by type. */
function entitiesOf({ ws, network, typeIds }: Opened, nodes: readonly number[]): Entity[] {
  const byType = new Map<number, number[]>();
  nodes.forEach((node, at) => {
    const { type } = entityOf(network, node);
    const list = byType.get(type);
    if (list) list.push(at);
    else byType.set(type, [at]);
  });
  const out = new Array<Entity>(nodes.length);
  for (const [type, positions] of byType) {
    const found = ws.entities.atIndices(
      typeIds[type],
      positions.map((at) => entityOf(network, nodes[at]).index),
    );
    positions.forEach((at, k) => {
      out[at] = found[k];
    });
  }
  return out;
}

function describe(opened: Opened, nodes: readonly number[]): NetworkNode[] {
  const { network } = opened;
  return entitiesOf(opened, nodes).map((entity, k) => ({
    id: nodes[k],
    type: network.types[network.nodeType[nodes[k]]].name,
    key: entity.key,
    label: entity.label,
    class: entity.classLabel,
    degree: degreeOf(network, nodes[k]),
  }));
}

export const searchEntities: Handler<'entities.search'> = (input, { workspace }) =>
  withNetwork(workspace, input.dataset, 'entities.search', ({ ws, network }) => {
    const dataset = ws.datasets.require(input.dataset);
    const positions = new Map(network.types.map((t) => [t.name, t.id]));
    const matches = ws.entities.search(dataset.id, input.query, input.limit, input.type);
    return {
      matches: matches.map((e) => {
        const id = nodeOf(network, positions.get(e.type)!, e.index);
        return {
          id,
          type: e.type,
          key: e.key,
          label: e.label,
          class: e.classLabel,
          degree: degreeOf(network, id),
        };
      }),
    };
  });

export const egoNetwork: Handler<'network.ego'> = (input, { workspace }) =>
  withNetwork(workspace, input.dataset, 'network.ego', (opened) => {
    const { network, check } = opened;
    check(input.node);
    for (const node of input.shown) check(node);
    const shown = new Set(input.shown);
    const grown = expand(network, input.node, shown, input.limit, input.seed);
    const added = shown.has(input.node) ? grown.added : [input.node, ...grown.added];
    for (const node of added) shown.add(node);
    return {
      nodes: describe(opened, added),
      edges: edgesTouching(network, shown, [input.node, ...grown.added]),
      neighbours: grown.neighbours,
      hidden: grown.hidden,
    };
  });

export const sampleNetwork: Handler<'network.sample'> = (input, { workspace }) =>
  withNetwork(workspace, input.dataset, 'network.sample', (opened) => {
    const { network } = opened;
    const nodes = snowballSample(network, input.nodes, input.seed);
    const shown = new Set(nodes);
    return {
      nodes: describe(opened, nodes),
      edges: edgesTouching(network, shown, nodes),
      total_nodes: nodeCount(network),
      total_edges: network.schema.relations.reduce((n, r) => n + r.count, 0),
    };
  });

export const networkNode: Handler<'network.node'> = (input, { workspace }) =>
  withNetwork(workspace, input.dataset, 'network.node', (opened) => {
    const { network, check } = opened;
    check(input.node);
    const [entity] = entitiesOf(opened, [input.node]);
    const [node] = describe(opened, [input.node]);
    return { ...node, attributes: entity.attributes, relations: degreeByRelation(network, input.node) };
  });

export const exportShownNetwork: Handler<'network.export'> = (input, { workspace }) =>
  withNetwork(workspace, input.dataset, 'network.export', async (opened) => {
    const { network, check } = opened;
    for (const node of input.nodes) check(node);
    const nodes = [...new Set(input.nodes)];
    const entities = entitiesOf(opened, nodes);
    const typeOf = (node: number) => network.types[network.nodeType[node]].name;
    const keyOf = new Map(nodes.map((node, k) => [node, entities[k].key]));
    const attributes = new Set<string>();
    for (const e of entities) for (const name of Object.keys(e.attributes ?? {})) attributes.add(name);
    const written = await gexfText({
      nodeAttributes: [...attributes].sort(),
      nodes: entities.map((e, k) => ({
        type: typeOf(nodes[k]),
        key: e.key,
        label: e.label,
        classLabel: e.classLabel,
        attributes: e.attributes,
      })),
      edges: edgesTouching(network, new Set(nodes), nodes).map((edge) => ({
        relation: edge.relation,
        sourceType: typeOf(edge.source),
        sourceKey: keyOf.get(edge.source)!,
        targetType: typeOf(edge.target),
        targetKey: keyOf.get(edge.target)!,
      })),
    });
    return { gexf: written.text, nodes: written.nodes, edges: written.edges };
  });
