// What a cluster is about: the values of its members' class labels and entity types that it holds
// most of, and its most characteristic words by c-TF-IDF (Grootendorst 2022, BERTopic):
// W(t, c) = tf(t, c) / |c| * log(1 + A / f(t)), with tf the count of word t among the names in
// cluster c, |c| the words in c, A the mean words per cluster and f(t) the count of t over all.

export interface ValueShare {
  value: string;
  /** members with this value */
  count: number;
  /** of the cluster's members */
  share: number;
  /** of all points: share / overall is the lift */
  overall: number;
}

export interface ClusterLabel {
  cluster: number;
  size: number;
  classes: ValueShare[];
  types: ValueShare[];
  terms: { term: string; weight: number }[];
}

export interface Members {
  clusters: Int32Array;
  types: string[];
  classes: (string | null)[];
  /** names or titles; null where an entity has none */
  texts: (string | null)[];
}

const stopWords = new Set(
  'a an and are as at be by for from in into is it of on or the to with via using its their this that these those we our based new'.split(
    ' ',
  ),
);

/** Lower-case words of two letters or more, stop words out. */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}[\p{L}\p{N}'-]+/gu) ?? []).filter((w) => !stopWords.has(w));
}

function shares(values: (string | null)[], members: number[], top: number): ValueShare[] {
  const overall = new Map<string, number>();
  for (const v of values) if (v !== null) overall.set(v, (overall.get(v) ?? 0) + 1);
  const counts = new Map<string, number>();
  for (const i of members) {
    const v = values[i];
    if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return [...counts]
    .map(([value, count]) => ({
      value,
      count,
      share: count / members.length,
      overall: overall.get(value)! / values.length,
    }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    .slice(0, top);
}

/** c-TF-IDF's top `top` words per cluster (noise, -1, included as its own cluster). */
export function classTfIdf(texts: (string | null)[], clusters: Int32Array, top: number) {
  const perCluster = new Map<number, Map<string, number>>();
  const totals = new Map<number, number>();
  const frequency = new Map<string, number>();
  texts.forEach((text, i) => {
    if (text === null) return;
    const c = clusters[i];
    const counts = perCluster.get(c) ?? new Map<string, number>();
    perCluster.set(c, counts);
    for (const w of words(text)) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
      frequency.set(w, (frequency.get(w) ?? 0) + 1);
      totals.set(c, (totals.get(c) ?? 0) + 1);
    }
  });
  const clustersWithWords = [...totals.values()];
  const averageWords = clustersWithWords.reduce((a, b) => a + b, 0) / Math.max(1, clustersWithWords.length);
  const out = new Map<number, { term: string; weight: number }[]>();
  for (const [c, counts] of perCluster) {
    const size = totals.get(c) ?? 0;
    out.set(
      c,
      [...counts]
        .map(([term, tf]) => ({
          term,
          weight: (tf / size) * Math.log(1 + averageWords / frequency.get(term)!),
        }))
        .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1))
        .slice(0, top),
    );
  }
  return out;
}

/** Labels for every cluster, largest first. */
export function labelClusters(members: Members, top = 5): ClusterLabel[] {
  const byCluster = new Map<number, number[]>();
  members.clusters.forEach((c, i) => {
    const list = byCluster.get(c) ?? [];
    byCluster.set(c, list);
    list.push(i);
  });
  const terms = classTfIdf(members.texts, members.clusters, 10);
  return [...byCluster]
    .map(([cluster, list]) => ({
      cluster,
      size: list.length,
      classes: shares(members.classes, list, top),
      types: shares(members.types, list, top),
      terms: terms.get(cluster) ?? [],
    }))
    .sort((a, b) => b.size - a.size || a.cluster - b.cluster);
}
