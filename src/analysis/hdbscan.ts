// HDBSCAN* (Campello, Moulavi, Sander 2013; McInnes & Healy's accelerated form) on a k-nearest-
// neighbour graph: core distances from the graph, mutual reachability on its edges, a minimum
// spanning forest (Kruskal), the condensed tree and excess-of-mass selection. No maintained JS
// package does this (hdbscan-ts and hdbscanjs compute all pairs and select leaves only), and
// restricting mutual reachability to kNN edges is what keeps 100k points within memory.
import type { NeighbourLists } from './nearest-neighbours.ts';

export interface HdbscanParams {
  minClusterSize: number;
  /** the neighbour whose distance is a point's core distance (counting the point itself as the first) */
  minSamples: number;
}

class DisjointSets {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root];
    while (this.parent[i] !== root) {
      const next = this.parent[i];
      this.parent[i] = root;
      i = next;
    }
    return root;
  }
  union(a: number, b: number, into: number): void {
    this.parent[a] = into;
    this.parent[b] = into;
  }
}

/** Cluster per point, -1 for noise. `graph` holds each point's neighbours, itself excluded. */
export function hdbscan(graph: NeighbourLists, n: number, params: HdbscanParams): Int32Array {
  const { k, rows, distances } = graph;
  const { minClusterSize } = params;
  const coreAt = Math.min(Math.max(params.minSamples - 1, 0), k) - 1;
  const core = Float64Array.from({ length: n }, (_, i) => (coreAt < 0 ? 0 : distances[i * k + coreAt]));
  // mutual reachability on the kNN edges, Kruskal from the shortest
  const edges: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) if (rows[i * k + j] >= 0) edges.push(i * k + j);
  const weight = (e: number) => {
    const i = Math.floor(e / k);
    return Math.max(core[i], core[rows[e]], distances[e]);
  };
  const weights = Float64Array.from(edges, weight);
  const order = Int32Array.from(edges.keys()).sort((a, b) => weights[a] - weights[b]);
  // dendrogram nodes: 0..n-1 points, n.. merges
  const left = new Int32Array(n - 1);
  const right = new Int32Array(n - 1);
  const height = new Float64Array(n - 1);
  const size = new Int32Array(2 * n - 1);
  size.fill(1, 0, n);
  const sets = new DisjointSets(2 * n - 1);
  let merges = 0;
  const merge = (a: number, b: number, h: number) => {
    const node = n + merges;
    left[merges] = a;
    right[merges] = b;
    height[merges] = h;
    size[node] = size[a] + size[b];
    sets.union(a, b, node);
    merges++;
  };
  for (const o of order) {
    const e = edges[o];
    const a = sets.find(Math.floor(e / k));
    const b = sets.find(rows[e]);
    if (a !== b) merge(a, b, weights[o]);
  }
  // parts the kNN graph leaves apart join at infinite distance (lambda 0)
  for (let i = 1; i < n && merges < n - 1; i++) {
    const a = sets.find(0);
    const b = sets.find(i);
    if (a !== b) merge(a, b, Number.POSITIVE_INFINITY);
  }
  if (n < 2) return new Int32Array(n).fill(-1);

  // condensed tree: walk down from the root; a split into two parts of at least minClusterSize
  // makes two clusters, a smaller part falls out of its cluster as noise at that lambda
  const lambdaOf = (h: number) => (h > 0 ? 1 / h : Number.POSITIVE_INFINITY);
  const birth: number[] = [0];
  const parentCluster: number[] = [-1];
  const stability: number[] = [0];
  const children: number[][] = [[]];
  const pointCluster = new Int32Array(n);
  const fallOut = (node: number, cluster: number, lambda: number) => {
    const stack = [node];
    while (stack.length > 0) {
      const m = stack.pop()!;
      if (m < n) {
        pointCluster[m] = cluster;
        stability[cluster] += Math.min(lambda, 1e300) - birth[cluster];
      } else stack.push(left[m - n], right[m - n]);
    }
  };
  const stack: [number, number][] = [[2 * n - 2, 0]];
  while (stack.length > 0) {
    const [node, cluster] = stack.pop()!;
    if (node < n) {
      fallOut(node, cluster, birth[cluster]);
      continue;
    }
    const a = left[node - n];
    const b = right[node - n];
    const lambda = lambdaOf(height[node - n]);
    const big = [a, b].filter((c) => size[c] >= minClusterSize);
    if (big.length === 2) {
      stability[cluster] += size[node] * (Math.min(lambda, 1e300) - birth[cluster]);
      for (const c of big) {
        const id = birth.length;
        birth.push(lambda);
        parentCluster.push(cluster);
        stability.push(0);
        children.push([]);
        children[cluster].push(id);
        stack.push([c, id]);
      }
    } else {
      for (const c of [a, b]) {
        if (size[c] >= minClusterSize) stack.push([c, cluster]);
        else fallOut(c, cluster, lambda);
      }
    }
  }
  // excess of mass: keep a cluster unless its descendants together are more stable; the root is
  // never chosen when it splits (it would be the whole data set)
  const clusters = birth.length;
  const best = new Float64Array(clusters);
  const selected = new Uint8Array(clusters);
  for (let c = clusters - 1; c >= 0; c--) {
    const below = children[c].reduce((s, child) => s + best[child], 0);
    if (children[c].length === 0 || (c !== 0 && stability[c] >= below)) {
      best[c] = stability[c];
      selected[c] = 1;
      const descendants = [...children[c]];
      while (descendants.length > 0) {
        const d = descendants.pop()!;
        selected[d] = 0;
        descendants.push(...children[d]);
      }
    } else best[c] = below;
  }
  const label = new Int32Array(clusters).fill(-1);
  let next = 0;
  for (let c = 0; c < clusters; c++) if (selected[c]) label[c] = next++;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let c = pointCluster[i];
    while (c >= 0 && !selected[c]) c = parentCluster[c];
    out[i] = c >= 0 ? label[c] : -1;
  }
  return out;
}
