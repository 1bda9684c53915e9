// Meta-path-guided random walks (Dong, Chawla, Swami 2017, eq. 3): from node v of type V_t the
// next node is drawn uniformly from v's neighbours of type V_t+1 over the relations the scheme
// allows, with probability zero for any other node; the scheme repeats until the walk is long
// enough. Every walk has its own seed, so the corpus is the same whatever the thread count.
import type { HeterogeneousNetwork } from './heterogeneous-network.ts';
import type { MetaPath } from './meta-path.ts';

/** A scheme compiled against a network: type ids and, per step, the adjacency lists to draw from. */
export interface CompiledScheme {
  types: Int32Array;
  /** steps[t]: indices into network.adjacency for the step V_t -> V_t+1 */
  steps: number[][];
}

/** Everything a walk thread needs besides the network: plain data, cheap to post. */
export interface WalkPlan {
  schemes: CompiledScheme[];
  walksPerNode: number;
  walkLength: number;
  seed: number;
}

export function compileScheme(network: HeterogeneousNetwork, path: MetaPath): CompiledScheme {
  const typeId = (name: string) => network.types.find((t) => t.name === name)!.id;
  const types = Int32Array.from(path.types, typeId);
  const steps = path.relations.map((names, t) => {
    const indices: number[] = [];
    network.adjacency.forEach((a, index) => {
      if (names.includes(a.relation) && a.from === types[t] && a.to === types[t + 1]) indices.push(index);
    });
    return indices;
  });
  return { types, steps };
}

/**
 * Walks are numbered round by round: walk w is round floor(w / perRound), and within a round
 * scheme by scheme, start node by start node. Rounds first means every chunk of the stream
 * touches the whole network, so the learning rate decays over all nodes alike.
 */
export function walksPerRound(network: HeterogeneousNetwork, plan: WalkPlan): number {
  let n = 0;
  for (const s of plan.schemes) n += network.types[s.types[0]].count;
  return n;
}

export function totalWalks(network: HeterogeneousNetwork, plan: WalkPlan): number {
  return walksPerRound(network, plan) * plan.walksPerNode;
}

/** A murmur3-style mix of (seed, walk): decorrelated streams for neighbouring walk numbers. */
function walkSeed(seed: number, walk: number): number {
  let z = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b9) ^ Math.imul(walk + 1, 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** A generated range of walks: walk k is tokens[offsets[k] .. offsets[k + 1]) as node ids. */
export interface WalkBatch {
  tokens: Int32Array;
  offsets: Int32Array;
  /** walks that ended at their start node (no neighbour of the scheme's next type): not in the batch */
  skipped: number;
  /** walks that stopped before walk_length at a node without a next-type neighbour (kept) */
  shortened: number;
}

/** Generates walks [from, to) of the plan. Pure: the same range always gives the same walks. */
export function generateWalks(
  network: HeterogeneousNetwork,
  plan: WalkPlan,
  from: number,
  to: number,
): WalkBatch {
  const perRound = walksPerRound(network, plan);
  const length = plan.walkLength;
  const tokens = new Int32Array((to - from) * length);
  const offsets = new Int32Array(to - from + 1);
  const { adjacency, types } = network;
  let walks = 0;
  let at = 0;
  let skipped = 0;
  let shortened = 0;
  for (let w = from; w < to; w++) {
    let position = w % perRound;
    let scheme = 0;
    while (position >= types[plan.schemes[scheme].types[0]].count) {
      position -= types[plan.schemes[scheme].types[0]].count;
      scheme++;
    }
    const { types: schemeTypes, steps } = plan.schemes[scheme];
    const stepsPerCycle = steps.length;
    let state = walkSeed(plan.seed, w);
    let node = types[schemeTypes[0]].offset + position;
    const start = at;
    tokens[at++] = node;
    for (let t = 1; t < length; t++) {
      const step = (t - 1) % stepsPerCycle;
      const lists = steps[step];
      const local = node - types[schemeTypes[step]].offset;
      let degree = 0;
      for (let k = 0; k < lists.length; k++) {
        const o = adjacency[lists[k]].offsets;
        degree += o[local + 1] - o[local];
      }
      if (degree === 0) break;
      // mulberry32 step, inlined: this loop is the walk generator's whole cost
      state = (state + 0x6d2b79f5) | 0;
      let r = Math.imul(state ^ (state >>> 15), 1 | state);
      r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
      let pick = Math.floor((((r ^ (r >>> 14)) >>> 0) / 4294967296) * degree);
      for (let k = 0; k < lists.length; k++) {
        const a = adjacency[lists[k]];
        const d = a.offsets[local + 1] - a.offsets[local];
        if (pick < d) {
          node = a.neighbours[a.offsets[local] + pick];
          break;
        }
        pick -= d;
      }
      tokens[at++] = node;
    }
    const walked = at - start;
    if (walked < 2) {
      at = start;
      skipped++;
      continue;
    }
    if (walked < length) shortened++;
    offsets[++walks] = at;
  }
  return { tokens: tokens.slice(0, at), offsets: offsets.slice(0, walks + 1), skipped, shortened };
}
