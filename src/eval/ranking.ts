// Ranking metrics of next-item recommendation and the protocols of the papers that report them.
//
// A user's held-out item is ranked against candidates: 100 negatives sampled by popularity from
// the items the user never interacted with (BERT4Rec's protocol, `pop100`), 100 sampled uniformly
// from those (SASRec's, `uniform100`), or every item the user never interacted with (`full`).
// Negatives are distinct and drawn from a generator seeded by (seed, user), so a protocol gives
// every model the same candidates whatever the batch order.
//
// Ties are counted against the model (pessimistic): a candidate scoring the same as the held-out
// item ranks above it, so a constant scorer gets rank = number of candidates, never a lucky 0.
// A held-out item with a non-finite score ranks last.
import { Random } from '../demo/random.ts';

export const rankingMetricNames = ['HR@1', 'HR@5', 'HR@10', 'NDCG@5', 'NDCG@10', 'MRR'] as const;
export type RankingMetricName = (typeof rankingMetricNames)[number];
export type RankingMetrics = Record<RankingMetricName, number>;

export class EmptyEvaluation extends Error {
  constructor(what: string) {
    super(`${what}: no user to evaluate, so no ranking metric is defined`);
    this.name = 'EmptyEvaluation';
  }
}

/** Means of HR@k, NDCG@k and MRR over the ranks added (0-based: rank 0 is the top). */
export class RankingAccumulator {
  private readonly sums = new Float64Array(rankingMetricNames.length);
  count = 0;

  add(rank: number): void {
    if (!(rank >= 0)) throw new Error(`rank must be a non-negative number, got ${rank}`);
    const dcg = 1 / Math.log2(rank + 2);
    this.sums[0] += rank < 1 ? 1 : 0;
    this.sums[1] += rank < 5 ? 1 : 0;
    this.sums[2] += rank < 10 ? 1 : 0;
    this.sums[3] += rank < 5 ? dcg : 0;
    this.sums[4] += rank < 10 ? dcg : 0;
    this.sums[5] += 1 / (rank + 1);
    this.count++;
  }

  /** The means; an empty accumulator is an error rather than NaN. */
  result(what = 'ranking evaluation'): RankingMetrics {
    if (this.count === 0) throw new EmptyEvaluation(what);
    return Object.fromEntries(
      rankingMetricNames.map((name, i) => [name, this.sums[i] / this.count]),
    ) as RankingMetrics;
  }
}

/** Metrics of a list of ranks. */
export function rankingMetrics(ranks: ArrayLike<number>, what?: string): RankingMetrics {
  const acc = new RankingAccumulator();
  for (let i = 0; i < ranks.length; i++) acc.add(ranks[i]);
  return acc.result(what);
}

/** How many candidates score at least as high as the target (pessimistic ties); NaN target ranks last. */
export function rankAmong(
  scores: ArrayLike<number>,
  targetItem: number,
  candidates: ArrayLike<number>,
): number {
  const t = scores[targetItem];
  if (!Number.isFinite(t)) return candidates.length;
  let rank = 0;
  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[k];
    if (c !== targetItem && !(scores[c] < t)) rank++;
  }
  return rank;
}

export type ProtocolName = 'pop100' | 'uniform100' | 'full';

export interface Catalogue {
  /** items are 1..items */
  items: number;
  /** interactions per item (index 0 unused): the popularity that pop100 samples by */
  popularity: Float64Array;
}

/**
 * Draws candidate negatives for users. `negatives` returns the candidate list for a user given
 * their seen items; the held-out item must be among `seen` (it is added to the candidates by the
 * caller's ranking, never sampled).
 */
export class NegativeSampler {
  private readonly cumulative: Float64Array | null;
  private readonly mark: Int32Array;
  private stamp = 0;

  constructor(
    readonly protocol: ProtocolName,
    private readonly catalogue: Catalogue,
    private readonly seed: number,
    private readonly count = 100,
  ) {
    if (catalogue.items < 2) throw new Error(`a catalogue of ${catalogue.items} item cannot be ranked`);
    this.mark = new Int32Array(catalogue.items + 1);
    if (protocol === 'pop100') {
      const c = new Float64Array(catalogue.items + 1);
      for (let i = 1; i <= catalogue.items; i++) c[i] = c[i - 1] + Math.max(catalogue.popularity[i] ?? 0, 0);
      // an all-zero popularity (nothing counted) falls back to uniform
      this.cumulative = c[catalogue.items] > 0 ? c : null;
    } else this.cumulative = null;
  }

  /**
   * The items `user` is ranked against: every unseen item for `full`, else `count` distinct
   * unseen items (all of them when fewer remain), drawn deterministically from (seed, user).
   */
  negatives(user: number, seen: ArrayLike<number>): Int32Array {
    const stamp = ++this.stamp;
    for (let k = 0; k < seen.length; k++) this.mark[seen[k]] = stamp;
    const n = this.catalogue.items;
    let unseen = 0;
    for (let i = 1; i <= n; i++) if (this.mark[i] !== stamp) unseen++;
    if (this.protocol === 'full' || unseen <= this.count) {
      const all = new Int32Array(unseen);
      let at = 0;
      for (let i = 1; i <= n; i++) if (this.mark[i] !== stamp) all[at++] = i;
      return all;
    }
    const random = new Random(mix(this.seed, user));
    const out = new Int32Array(this.count);
    let at = 0;
    let misses = 0;
    while (at < this.count) {
      const item = this.draw(random);
      if (this.mark[item] === stamp) {
        // The user saw most of the popular mass: finish uniformly among what is left.
        if (++misses > 100 * this.count) return this.finishUniform(out, at, stamp, random);
        continue;
      }
      this.mark[item] = stamp;
      out[at++] = item;
    }
    return out;
  }

  private draw(random: Random): number {
    const n = this.catalogue.items;
    const c = this.cumulative;
    if (!c) return 1 + random.int(n);
    const u = random.next() * c[n];
    let lo = 1;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private finishUniform(out: Int32Array, from: number, stamp: number, random: Random): Int32Array {
    const left: number[] = [];
    for (let i = 1; i <= this.catalogue.items; i++) if (this.mark[i] !== stamp) left.push(i);
    let at = from;
    for (let k = 0; at < out.length; k++) {
      const j = k + random.int(left.length - k);
      [left[k], left[j]] = [left[j], left[k]];
      out[at++] = left[k];
    }
    return out;
  }
}

/** A 31-bit seed from (seed, user): per-user generators that do not depend on evaluation order. */
export function mix(seed: number, user: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(user + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 1;
}
