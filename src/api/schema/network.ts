// The network view's commands: find entities by name, grow an ego network node by node, draw a
// sample, read one node's details and export what is shown as GEXF. Nodes are named by their node
// id in the dataset's network (entity types in workspace order, each type's entities in index
// order): compact on the wire, and fixed for good since a dataset never changes after its import.
import { z } from 'zod';

const NodeId = z.number().int().nonnegative();
const Seed = z.number().int().nonnegative().default(0);

export const NetworkNode = z.object({
  id: NodeId,
  type: z.string(),
  key: z.string(),
  label: z.string().nullable(),
  class: z.string().nullable(),
  /** relations of every type and direction */
  degree: z.number().int(),
});
export type NetworkNode = z.infer<typeof NetworkNode>;

export const NetworkEdge = z.object({
  relation: z.string(),
  source: NodeId,
  target: NodeId,
});
export type NetworkEdge = z.infer<typeof NetworkEdge>;

export const networkCommands = {
  'entities.search': {
    description:
      'Entities of a dataset whose key or label contains the text (an exact key first, then those starting with it)',
    input: z.object({
      dataset: z.string().min(1),
      query: z.string().min(1),
      /** only entities of this type (user, item, author...) */
      type: z.string().min(1).optional(),
      limit: z.number().int().min(1).max(100).default(10),
    }),
    output: z.object({ matches: z.array(NetworkNode) }),
    progress: z.never(),
  },
  'network.ego': {
    description:
      "A node's neighbours to add to a view: those already shown stay, at most `limit` new ones (a seeded sample of a hub's), and the relations between them and the view",
    input: z.object({
      dataset: z.string().min(1),
      node: NodeId,
      /** the nodes the view already shows */
      shown: z.array(NodeId).max(50_000).default([]),
      limit: z.number().int().min(1).max(5000).default(100),
      seed: Seed,
    }),
    output: z.object({
      /** the nodes new to the view (the centre first when it was not shown) */
      nodes: z.array(NetworkNode),
      /** the relations between the new nodes (and the centre) and every node shown */
      edges: z.array(NetworkEdge),
      /** distinct neighbours of the centre */
      neighbours: z.number().int(),
      /** neighbours still not shown: left out by the limit */
      hidden: z.number().int(),
    }),
    progress: z.never(),
  },
  'network.sample': {
    description:
      'A snowball sample of the network (breadth-first from random nodes, a few random neighbours each) with the relations among its nodes',
    input: z.object({
      dataset: z.string().min(1),
      nodes: z.number().int().min(1).max(5000).default(300),
      seed: Seed,
    }),
    output: z.object({
      nodes: z.array(NetworkNode),
      edges: z.array(NetworkEdge),
      /** the whole network's size, to say how much of it the sample is */
      total_nodes: z.number().int(),
      total_edges: z.number().int(),
    }),
    progress: z.never(),
  },
  'network.node': {
    description: "One node's details: key, label, type, class, attributes and degree per relation type",
    input: z.object({ dataset: z.string().min(1), node: NodeId }),
    output: NetworkNode.extend({
      attributes: z.record(z.string(), z.unknown()).nullable(),
      relations: z.array(
        z.object({
          relation: z.string(),
          /** out: the node is the relation's source; in: its target */
          direction: z.enum(['out', 'in']),
          /** the entity type at the other end */
          other: z.string(),
          count: z.number().int(),
        }),
      ),
    }),
    progress: z.never(),
  },
  'network.export': {
    description: 'The given nodes of a dataset and every relation among them as GEXF 1.3 text, for Gephi',
    input: z.object({ dataset: z.string().min(1), nodes: z.array(NodeId).min(1).max(50_000) }),
    output: z.object({ gexf: z.string(), nodes: z.number().int(), edges: z.number().int() }),
    progress: z.never(),
  },
} as const;
