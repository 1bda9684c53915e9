// Validation and test of a sequential recommender under the ranking protocols: score the users'
// histories (one pass), then rank each held-out item against every protocol's candidates.

import { Random } from '../../demo/random.ts';
import {
  type Catalogue,
  mix,
  NegativeSampler,
  type ProtocolName,
  RankingAccumulator,
  type RankingMetrics,
  rankAmong,
} from '../../eval/ranking.ts';
import { evaluationIds } from './batches.ts';
import type { Bert4RecConfig } from './config.ts';
import { type SequenceSplit, seenItems, target } from './sequences.ts';

/** Scores of `rows` input rows [rows * T] as a [rows * V] matrix (V = items + 2: 0 padding, n + 1 [MASK]). */
export type Scorer = (ids: BigInt64Array) => Promise<Float32Array>;

/** Interactions per item over the whole log: the popularity pop100 samples by (as the authors' code). */
export function catalogueOf(split: SequenceSplit): Catalogue {
  const popularity = new Float64Array(split.items + 1);
  for (let j = 0; j < split.sequence.length; j++) popularity[split.sequence[j]]++;
  return { items: split.items, popularity };
}

/** Users that take part in evaluation; at most `limit` of them (0: all), a seeded sample in user order. */
export function evaluationUsers(split: SequenceSplit, limit: number, seed: number): Int32Array {
  const all: number[] = [];
  for (let u = 0; u < split.users.length; u++) if (split.evaluated[u]) all.push(u);
  if (limit <= 0 || all.length <= limit) return Int32Array.from(all);
  const random = new Random(mix(seed, 7_777_777));
  for (let k = 0; k < limit; k++) {
    const j = k + random.int(all.length - k);
    [all[k], all[j]] = [all[j], all[k]];
  }
  return Int32Array.from(all.slice(0, limit)).sort();
}

export interface EvaluationOptions {
  phase: 'validation' | 'test';
  protocols: readonly ProtocolName[];
  users: Int32Array;
  /** rows per scorer call */
  rows: number;
  /** negatives are drawn from generators seeded by (seed, user) */
  seed: number;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

/** Metrics per protocol. Throws EmptyEvaluation when there is no user to evaluate. */
export async function evaluateRanking(
  split: SequenceSplit,
  config: Bert4RecConfig,
  scorer: Scorer,
  options: EvaluationOptions,
): Promise<Record<ProtocolName, RankingMetrics>> {
  const catalogue = catalogueOf(split);
  const samplers = options.protocols.map((p) => new NegativeSampler(p, catalogue, options.seed));
  const accumulators = options.protocols.map(() => new RankingAccumulator());
  const V = split.items + 2;
  const { users, rows } = options;
  for (let from = 0; from < users.length; from += rows) {
    options.signal?.throwIfAborted();
    const chunk = users.subarray(from, Math.min(from + rows, users.length));
    const scores = await scorer(evaluationIds(split, chunk, options.phase, config, rows));
    for (let r = 0; r < chunk.length; r++) {
      const u = chunk[r];
      const row = scores.subarray(r * V, (r + 1) * V);
      const held = target(split, u, options.phase);
      const seen = seenItems(split, u);
      samplers.forEach((sampler, p) => {
        accumulators[p].add(rankAmong(row, held, sampler.negatives(split.users[u], seen)));
      });
    }
    options.onProgress?.(Math.min(from + rows, users.length), users.length);
  }
  return Object.fromEntries(
    options.protocols.map((p, i) => [p, accumulators[i].result(`${options.phase} (${p})`)]),
  ) as Record<ProtocolName, RankingMetrics>;
}

/** The popularity baseline as a scorer: every row gets the training popularity of the items. */
export function popularityScorer(popularity: Float64Array, rows: number): Scorer {
  const V = popularity.length + 1;
  const row = new Float32Array(V);
  for (let i = 1; i < popularity.length; i++) row[i] = popularity[i];
  // padding and [MASK] are never candidates; keep them below every item anyway
  row[0] = -1;
  row[V - 1] = -1;
  return async () => {
    const out = new Float32Array(rows * V);
    for (let r = 0; r < rows; r++) out.set(row, r * V);
    return out;
  };
}
