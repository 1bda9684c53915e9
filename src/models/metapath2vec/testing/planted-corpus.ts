// A walk corpus with planted communities for the skip-gram trainers' tests: `communities`
// groups of `perCommunity` nodes of two alternating types (like author-paper-author walks);
// a walk stays in its community except for a jump with probability `jump` per step.
import type { SkipGramCorpus, SkipGramVocab } from '../types.ts';

export interface PlantedCorpus {
  corpus: SkipGramCorpus;
  vocab: SkipGramVocab;
  /** community of each token */
  community: Int32Array;
  communities: number;
}

export function plantedCorpus({
  communities = 4,
  perCommunity = 40,
  walks = 1200,
  walkLength = 20,
  jump = 0.05,
  seed = 7,
} = {}): PlantedCorpus {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const size = communities * perCommunity;
  const half = perCommunity / 2;
  const tokens = new Int32Array(walks * walkLength);
  const offsets = Int32Array.from({ length: walks + 1 }, (_, w) => w * walkLength);
  for (let w = 0; w < walks; w++) {
    let c = w % communities;
    for (let i = 0; i < walkLength; i++) {
      if (random() < jump) c = Math.floor(random() * communities);
      // type i % 2: even positions draw from the community's first half, odd from its second
      tokens[w * walkLength + i] = c * perCommunity + (i % 2) * half + Math.floor(random() * half);
    }
  }
  const counts = new Float64Array(size);
  for (const t of tokens) counts[t]++;
  const typeOf = Int32Array.from({ length: size }, (_, v) => (v % perCommunity < half ? 0 : 1));
  const community = Int32Array.from({ length: size }, (_, v) => Math.floor(v / perCommunity));
  return { corpus: { tokens, offsets }, vocab: { size, counts, typeOf, types: 2 }, community, communities };
}

/**
 * Accuracy of assigning each node to the community whose centroid (of the other nodes, cosine on
 * unit vectors) is nearest: how well the embeddings recover the planted structure.
 */
export function nearestCentroidAccuracy(
  embeddings: Float32Array,
  dim: number,
  planted: PlantedCorpus,
): number {
  const { community, communities } = planted;
  const size = community.length;
  const unit = new Float64Array(size * dim);
  for (let v = 0; v < size; v++) {
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += embeddings[v * dim + k] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < dim; k++) unit[v * dim + k] = embeddings[v * dim + k] / norm;
  }
  const sums = new Float64Array(communities * dim);
  const members = new Float64Array(communities);
  for (let v = 0; v < size; v++) {
    members[community[v]]++;
    for (let k = 0; k < dim; k++) sums[community[v] * dim + k] += unit[v * dim + k];
  }
  let correct = 0;
  for (let v = 0; v < size; v++) {
    let best = -1;
    let bestScore = -Infinity;
    for (let c = 0; c < communities; c++) {
      const own = c === community[v];
      let score = 0;
      for (let k = 0; k < dim; k++) {
        score += unit[v * dim + k] * (sums[c * dim + k] - (own ? unit[v * dim + k] : 0));
      }
      score /= members[c] - (own ? 1 : 0);
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    if (best === community[v]) correct++;
  }
  return correct / size;
}

/** Mean cosine between nodes of the same community and of different communities. */
export function communityCosines(
  embeddings: Float32Array,
  dim: number,
  planted: PlantedCorpus,
): { within: number; across: number } {
  const { community } = planted;
  const size = community.length;
  const norms = Float64Array.from({ length: size }, (_, v) => {
    let n = 0;
    for (let k = 0; k < dim; k++) n += embeddings[v * dim + k] ** 2;
    return Math.sqrt(n) || 1;
  });
  let within = 0;
  let withinPairs = 0;
  let across = 0;
  let acrossPairs = 0;
  for (let a = 0; a < size; a++) {
    for (let b = a + 1; b < size; b++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += embeddings[a * dim + k] * embeddings[b * dim + k];
      const cos = dot / (norms[a] * norms[b]);
      if (community[a] === community[b]) {
        within += cos;
        withinPairs++;
      } else {
        across += cos;
        acrossPairs++;
      }
    }
  }
  return { within: within / withinPairs, across: across / acrossPairs };
}
