// The in-memory heterogeneous network that walks run on. Topology only (types and adjacency in
// typed arrays); keys and labels stay in the workspace and are fetched by whoever shows them.
import type { Workspace } from '../workspace/workspace.ts';

export interface NodeType {
  /** 0..types-1, in the workspace's entity type order */
  id: number;
  name: string;
  /** nodes of this type; their node ids are offset .. offset+count-1, in entity index order */
  count: number;
  offset: number;
}

/**
 * One direction of one relation type as CSR: the neighbours of the node with per-type index i
 * (of type `from`) are `neighbours[offsets[i] .. offsets[i + 1])`, as node ids (all of type `to`).
 */
export interface Adjacency {
  relation: string;
  /** true for the target->source direction of the relation */
  reversed: boolean;
  from: number;
  to: number;
  offsets: Int32Array;
  neighbours: Int32Array;
}

/** The relation types of a network as a meta-path parser needs them: names and end types only. */
export interface NetworkSchema {
  types: readonly { name: string; count: number }[];
  relations: readonly { name: string; sourceType: string; targetType: string; count: number }[];
}

/**
 * Every array lives on a SharedArrayBuffer, so walk threads read one copy: posting the network
 * to a worker shares the memory instead of cloning it.
 */
export interface HeterogeneousNetwork {
  types: NodeType[];
  /** node type id of each node id */
  nodeType: Int32Array;
  /** both directions of every relation type with at least one relation */
  adjacency: Adjacency[];
  schema: NetworkSchema;
}

function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, length) * 4), 0, length);
}

/** CSR of `from -> to` pairs; counting sort keeps each node's neighbours in relation order. */
function csr(fromCount: number, fromIndex: Int32Array, toIndex: Int32Array, toOffset: number) {
  const offsets = sharedInt32(fromCount + 1);
  for (let k = 0; k < fromIndex.length; k++) offsets[fromIndex[k] + 1]++;
  for (let i = 0; i < fromCount; i++) offsets[i + 1] += offsets[i];
  const next = offsets.slice(0, fromCount);
  const neighbours = sharedInt32(fromIndex.length);
  for (let k = 0; k < fromIndex.length; k++) neighbours[next[fromIndex[k]]++] = toOffset + toIndex[k];
  return { offsets, neighbours };
}

export interface RelationInput {
  name: string;
  sourceType: string;
  targetType: string;
  source: Int32Array;
  target: Int32Array;
}

/** Builds the network from types (name, count) and relations given as per-type indices. */
export function buildNetwork(
  typeCounts: readonly { name: string; count: number }[],
  relations: readonly RelationInput[],
): HeterogeneousNetwork {
  const types: NodeType[] = [];
  let offset = 0;
  for (const { name, count } of typeCounts) {
    types.push({ id: types.length, name, count, offset });
    offset += count;
  }
  const nodeType = sharedInt32(offset);
  for (const t of types) nodeType.fill(t.id, t.offset, t.offset + t.count);
  const byName = new Map(types.map((t) => [t.name, t]));
  const adjacency: Adjacency[] = [];
  for (const r of relations) {
    const source = byName.get(r.sourceType);
    const target = byName.get(r.targetType);
    if (!source || !target)
      throw new Error(`relation ${r.name} joins unknown types ${r.sourceType}, ${r.targetType}`);
    if (r.source.length === 0) continue;
    for (let k = 0; k < r.source.length; k++) {
      if (r.source[k] < 0 || r.source[k] >= source.count || r.target[k] < 0 || r.target[k] >= target.count) {
        throw new Error(
          `relation ${r.name} #${k}: ${r.source[k]} -> ${r.target[k]} is outside ${source.name} (${source.count}) x ${target.name} (${target.count})`,
        );
      }
    }
    // A paper->author relation is walked author->paper too: the paper's walks ignore edge direction.
    const forward = csr(source.count, r.source, r.target, target.offset);
    const backward = csr(target.count, r.target, r.source, source.offset);
    adjacency.push({ relation: r.name, reversed: false, from: source.id, to: target.id, ...forward });
    adjacency.push({ relation: r.name, reversed: true, from: target.id, to: source.id, ...backward });
  }
  return {
    types,
    nodeType,
    adjacency,
    schema: {
      types: types.map(({ name, count }) => ({ name, count })),
      relations: relations.map(({ name, sourceType, targetType, source }) => ({
        name,
        sourceType,
        targetType,
        count: source.length,
      })),
    },
  };
}

/** The network of a workspace dataset: every entity type and every relation type. */
export function loadNetwork(workspace: Workspace, datasetId: number): HeterogeneousNetwork {
  const types = workspace.entities.types(datasetId);
  const relations = workspace.entities.relationTypes(datasetId).map((r) => {
    const { source, target } = workspace.relations.arrays(r.id);
    return { name: r.name, sourceType: r.sourceType, targetType: r.targetType, source, target };
  });
  return buildNetwork(types, relations);
}

/** Node ids with no relation at all: they can neither start nor continue a walk. */
export function isolatedNodes(network: HeterogeneousNetwork): number {
  const degree = new Uint8Array(network.nodeType.length);
  for (const a of network.adjacency) {
    const base = network.types[a.from].offset;
    for (let i = 0; i + 1 < a.offsets.length; i++) if (a.offsets[i + 1] > a.offsets[i]) degree[base + i] = 1;
  }
  let isolated = 0;
  for (let v = 0; v < degree.length; v++) if (degree[v] === 0) isolated++;
  return isolated;
}
