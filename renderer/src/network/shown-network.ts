// What the network view shows, as plain data changed by pure producers: the nodes and relations
// drawn, where the last ones were added, and which nodes were expanded with how many neighbours
// left out. Drawing (positions, layout, reducers) lives in NetworkCanvas.
import type { CommandOutput, NetworkEdge, NetworkNode } from '../../../src/api/index.ts';

export interface Expansion {
  neighbours: number;
  hidden: number;
}

export interface ShownNetwork {
  dataset: string;
  /** in the order they were added */
  nodes: ReadonlyMap<number, NetworkNode>;
  edges: readonly NetworkEdge[];
  /** the node the latest nodes were added around (new ones start near it); null for a sample */
  anchor: number | null;
  expansions: ReadonlyMap<number, Expansion>;
  /** a sample's share of the whole network, to say so */
  sampledFrom: { nodes: number; edges: number } | null;
}

export const edgeKey = (e: NetworkEdge): string => `${e.relation}\t${e.source}\t${e.target}`;

export const emptyNetwork = (dataset: string): ShownNetwork => ({
  dataset,
  nodes: new Map(),
  edges: [],
  anchor: null,
  expansions: new Map(),
  sampledFrom: null,
});

/** A network from a sample answer, replacing whatever was shown. */
export function fromSample(dataset: string, sample: CommandOutput<'network.sample'>): ShownNetwork {
  return {
    ...emptyNetwork(dataset),
    nodes: new Map(sample.nodes.map((n) => [n.id, n])),
    edges: sample.edges,
    sampledFrom: { nodes: sample.total_nodes, edges: sample.total_edges },
  };
}

/** The network grown by an ego answer around `centre` (its new nodes and relations added). */
export const withEgo =
  (centre: number, ego: CommandOutput<'network.ego'>) =>
  (shown: ShownNetwork): ShownNetwork => {
    const nodes = new Map(shown.nodes);
    for (const n of ego.nodes) nodes.set(n.id, n);
    const known = new Set(shown.edges.map(edgeKey));
    const edges = [...shown.edges, ...ego.edges.filter((e) => !known.has(edgeKey(e)))];
    const expansions = new Map(shown.expansions);
    expansions.set(centre, { neighbours: ego.neighbours, hidden: ego.hidden });
    return { ...shown, nodes, edges, anchor: centre, expansions };
  };

export interface TypeCount {
  type: string;
  colour: string;
  count: number;
}

/**
 * Colours by entity type in the dataset's own type order, so a type keeps its colour whatever
 * is shown; counts of the nodes shown per type.
 */
export function typeLegend(
  shown: ShownNetwork,
  types: readonly string[],
  palette: readonly string[],
  other: string,
): TypeCount[] {
  const counts = new Map<string, number>();
  for (const n of shown.nodes.values()) counts.set(n.type, (counts.get(n.type) ?? 0) + 1);
  return types.map((type, i) => ({
    type,
    colour: palette[i] ?? other,
    count: counts.get(type) ?? 0,
  }));
}

/** The shown nodes whose type is not filtered out. */
export function visibleNodes(shown: ShownNetwork, hiddenTypes: ReadonlySet<string>): number[] {
  return [...shown.nodes.values()].filter((n) => !hiddenTypes.has(n.type)).map((n) => n.id);
}
