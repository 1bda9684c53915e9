// What the network view draws: ego networks grown one node at a time and snowball samples, with
// the relations among the nodes shown. Hubs are sampled down to a cap (a venue with 100k papers
// would bury the view and the layout), and each answer says how many neighbours it left out.
import { seededRandom, shuffle } from '../eval/random.ts';
import type { HeterogeneousNetwork } from './heterogeneous-network.ts';

/** A relation between two shown nodes, in the relation's own direction. */
export interface ShownEdge {
  relation: string;
  source: number;
  target: number;
}

/** How many relations of one type and direction a node has. */
export interface RelationDegree {
  relation: string;
  /** out: the node is the relation's source; in: its target */
  direction: 'out' | 'in';
  /** the entity type at the other end */
  other: string;
  count: number;
}

export function nodeCount(network: HeterogeneousNetwork): number {
  return network.nodeType.length;
}

/** Node id of the entity with index `index` in entity type `type` (a position in network.types). */
export function nodeOf(network: HeterogeneousNetwork, type: number, index: number): number {
  return network.types[type].offset + index;
}

/** Entity type position and per-type index of a node id. */
export function entityOf(network: HeterogeneousNetwork, node: number): { type: number; index: number } {
  const type = network.nodeType[node];
  return { type, index: node - network.types[type].offset };
}

function rowsFrom(network: HeterogeneousNetwork, node: number) {
  const { type, index } = entityOf(network, node);
  return network.adjacency
    .filter((a) => a.from === type)
    .map((a) => ({ adjacency: a, start: a.offsets[index], end: a.offsets[index + 1] }));
}

export function degreeOf(network: HeterogeneousNetwork, node: number): number {
  let degree = 0;
  for (const { start, end } of rowsFrom(network, node)) degree += end - start;
  return degree;
}

export function degreeByRelation(network: HeterogeneousNetwork, node: number): RelationDegree[] {
  return rowsFrom(network, node)
    .filter(({ start, end }) => end > start)
    .map(({ adjacency, start, end }) => ({
      relation: adjacency.relation,
      direction: adjacency.reversed ? ('in' as const) : ('out' as const),
      other: network.types[adjacency.to].name,
      count: end - start,
    }));
}

/** Distinct neighbours over every relation type and direction, ascending. */
export function neighboursOf(network: HeterogeneousNetwork, node: number): Int32Array {
  const rows = rowsFrom(network, node);
  const all = new Int32Array(rows.reduce((n, r) => n + r.end - r.start, 0));
  let at = 0;
  for (const { adjacency, start, end } of rows) {
    all.set(adjacency.neighbours.subarray(start, end), at);
    at += end - start;
  }
  all.sort();
  let distinct = 0;
  for (let k = 0; k < all.length; k++) if (k === 0 || all[k] !== all[k - 1]) all[distinct++] = all[k];
  return all.subarray(0, distinct);
}

/**
 * The relations between a node of `touching` and any node of `shown` (which includes them), each
 * once in its relation's direction; repeated relations between the same pair count once.
 */
export function edgesTouching(
  network: HeterogeneousNetwork,
  shown: ReadonlySet<number>,
  touching: Iterable<number>,
): ShownEdge[] {
  const edges: ShownEdge[] = [];
  const seen = new Set<string>();
  for (const node of touching) {
    for (const { adjacency, start, end } of rowsFrom(network, node)) {
      for (let k = start; k < end; k++) {
        const other = adjacency.neighbours[k];
        if (!shown.has(other)) continue;
        const [source, target] = adjacency.reversed ? [other, node] : [node, other];
        const id = `${adjacency.relation}\t${source}\t${target}`;
        if (seen.has(id)) continue;
        seen.add(id);
        edges.push({ relation: adjacency.relation, source, target });
      }
    }
  }
  return edges;
}

export interface Expansion {
  /** the neighbours newly shown (at most the cap), ascending */
  added: number[];
  /** distinct neighbours the node has */
  neighbours: number;
  /** neighbours still not shown after this expansion */
  hidden: number;
}

/**
 * Grows the view by a node's neighbours: those already shown stay, and at most `cap` new ones are
 * added, a seeded uniform sample when there are more.
 */
export function expand(
  network: HeterogeneousNetwork,
  node: number,
  shown: ReadonlySet<number>,
  cap: number,
  seed: number,
): Expansion {
  const all = neighboursOf(network, node);
  const fresh = all.filter((v) => !shown.has(v) && v !== node);
  const added = fresh.length <= cap ? fresh : shuffle(fresh, seededRandom(seed)).subarray(0, cap).sort();
  const alreadyShown = all.length - fresh.length;
  return {
    added: Array.from(added),
    neighbours: all.length,
    hidden: all.length - alreadyShown - added.length,
  };
}

/**
 * A snowball sample of about `size` nodes: breadth-first from a random node with relations, each
 * node contributing at most `perNode` random neighbours, restarting from another random node when
 * a component runs out. Uniform node samples of sparse networks have almost no edges to draw;
 * snowballs keep the local structure a person looks for.
 */
export function snowballSample(
  network: HeterogeneousNetwork,
  size: number,
  seed: number,
  perNode = 8,
): number[] {
  const n = nodeCount(network);
  const target = Math.min(size, n);
  const random = seededRandom(seed);
  const chosen = new Set<number>();
  const order = shuffle(
    Int32Array.from({ length: n }, (_, k) => k),
    random,
  );
  let next = 0;
  while (chosen.size < target) {
    // isolated nodes are taken only once every node with relations is in
    let start = -1;
    for (; next < n && start < 0; next++) {
      const v = order[next];
      if (!chosen.has(v) && degreeOf(network, v) > 0) start = v;
    }
    if (start < 0) {
      for (let v = 0; v < n && chosen.size < target; v++) chosen.add(order[v]);
      break;
    }
    chosen.add(start);
    const queue = [start];
    for (let head = 0; head < queue.length && chosen.size < target; head++) {
      const fresh = neighboursOf(network, queue[head]).filter((v) => !chosen.has(v));
      const picked = shuffle(fresh, random).subarray(0, perNode);
      for (const v of picked) {
        if (chosen.size >= target) break;
        chosen.add(v);
        queue.push(v);
      }
    }
  }
  return [...chosen].sort((a, b) => a - b);
}
