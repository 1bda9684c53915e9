// The walk corpus of a run, produced in chunks: counted once (token frequencies for min_count and
// the noise distribution, exact pair total for the learning-rate schedule), then streamed to the
// trainer. A corpus that fits the cache is kept from the counting pass; a larger one (the paper
// preset on DBLP is 1.4 G tokens) is generated again, identically, since every walk has its seed.
import type { HeterogeneousNetwork } from '../../network/heterogeneous-network.ts';
import { WalkPool } from '../../network/walk-pool.ts';
import { totalWalks, type WalkBatch, type WalkPlan } from '../../network/walks.ts';
import { pairsInWalk, type SkipGramCorpus, type SkipGramVocab } from './types.ts';

export interface WalkCorpusOptions {
  threads: number;
  /** tokens per chunk handed to the trainer */
  chunkTokens?: number;
  /** keep the chunks of the counting pass when the corpus has at most this many tokens */
  cacheTokens?: number;
  signal?: AbortSignal;
  /** walks generated so far (counting pass) and the total */
  onWalks?(done: number, total: number): void;
}

export interface WalkCounts {
  /** occurrences of each node id in the corpus */
  counts: Float64Array;
  walks: number;
  tokens: number;
  /** (center, context) pairs of one pass with the window given to count() */
  pairs: number;
  /** walks of length 1 (start node without a neighbour of the next type), left out */
  skipped: number;
  /** walks that stopped early at a dead end, kept */
  shortened: number;
  /** wall time of the counting pass: walk generation and counting */
  seconds: number;
}

/** Nodes kept by min_count, as a vocabulary of compact token ids. */
export interface WalkVocabulary extends SkipGramVocab {
  /** node id of each token */
  nodeOf: Int32Array;
  /** token of each node id, -1 for nodes without one (never walked, or rarer than min_count) */
  tokenOf: Int32Array;
}

const defaultChunkTokens = 8_000_000;
const defaultCacheTokens = 200_000_000;
const inThreadTokens = 4_000_000;

export class WalkCorpus {
  readonly totalWalks: number;
  private readonly pool: WalkPool;
  private readonly walksPerChunk: number;
  private cache: WalkBatch[] | null = null;

  constructor(
    readonly network: HeterogeneousNetwork,
    readonly plan: WalkPlan,
    private readonly options: WalkCorpusOptions,
  ) {
    this.totalWalks = totalWalks(network, plan);
    // starting threads costs more than generating a small corpus in this one
    const small = this.totalWalks * plan.walkLength < inThreadTokens;
    this.pool = new WalkPool(network, plan, small ? 1 : options.threads);
    this.walksPerChunk = Math.max(
      1,
      Math.floor((options.chunkTokens ?? defaultChunkTokens) / plan.walkLength),
    );
  }

  /** The corpus as walk batches of node ids, in order; the next chunk is generated while one is used. */
  async *batches(): AsyncGenerator<WalkBatch> {
    if (this.cache) {
      yield* this.cache;
      return;
    }
    const { signal } = this.options;
    let next: Promise<WalkBatch> | null = this.generate(0);
    for (let from = 0; next; from += this.walksPerChunk) {
      const batch: WalkBatch = await next;
      signal?.throwIfAborted();
      const after = from + this.walksPerChunk;
      next = after < this.totalWalks ? this.generate(after) : null;
      yield batch;
    }
  }

  private generate(from: number): Promise<WalkBatch> {
    return this.pool.generate(from, Math.min(this.totalWalks, from + this.walksPerChunk));
  }

  /** The counting pass. Keeps the chunks when the whole corpus fits the cache. */
  async count(window: number): Promise<WalkCounts> {
    const started = performance.now();
    const counts = new Float64Array(this.network.nodeType.length);
    const kept: WalkBatch[] = [];
    const result: WalkCounts = {
      counts,
      walks: 0,
      tokens: 0,
      pairs: 0,
      skipped: 0,
      shortened: 0,
      seconds: 0,
    };
    const cacheTokens = this.options.cacheTokens ?? defaultCacheTokens;
    const cacheable = this.totalWalks * this.plan.walkLength <= cacheTokens;
    let walked = 0;
    for await (const batch of this.batches()) {
      for (let k = 0; k < batch.tokens.length; k++) counts[batch.tokens[k]]++;
      for (let w = 0; w + 1 < batch.offsets.length; w++) {
        result.pairs += pairsInWalk(batch.offsets[w + 1] - batch.offsets[w], window);
      }
      result.walks += batch.offsets.length - 1;
      result.tokens += batch.tokens.length;
      result.skipped += batch.skipped;
      result.shortened += batch.shortened;
      walked += batch.offsets.length - 1 + batch.skipped;
      this.options.onWalks?.(walked, this.totalWalks);
      if (cacheable) kept.push(batch);
    }
    if (cacheable) this.cache = kept;
    result.seconds = (performance.now() - started) / 1000;
    return result;
  }

  /** Chunks in vocabulary tokens: nodes without a token leave their walk, walks left shorter than 2 are dropped. */
  chunks(vocab: WalkVocabulary): AsyncIterable<SkipGramCorpus> {
    return {
      [Symbol.asyncIterator]: () => this.tokenChunks(vocab),
    };
  }

  private async *tokenChunks(vocab: WalkVocabulary): AsyncGenerator<SkipGramCorpus> {
    for await (const batch of this.batches()) yield toTokens(batch, vocab.tokenOf);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

export function toTokens(batch: WalkBatch, tokenOf: Int32Array): SkipGramCorpus {
  const tokens = new Int32Array(batch.tokens.length);
  const offsets = new Int32Array(batch.offsets.length);
  let at = 0;
  let walks = 0;
  for (let w = 0; w + 1 < batch.offsets.length; w++) {
    const start = at;
    for (let i = batch.offsets[w]; i < batch.offsets[w + 1]; i++) {
      const token = tokenOf[batch.tokens[i]];
      if (token >= 0) tokens[at++] = token;
    }
    if (at - start < 2) at = start;
    else offsets[++walks] = at;
  }
  return { tokens: tokens.subarray(0, at), offsets: offsets.subarray(0, walks + 1) };
}

/** The vocabulary of the nodes walked at least `minCount` times, most frequent first. */
export function buildVocabulary(
  network: HeterogeneousNetwork,
  counts: Float64Array,
  minCount: number,
): WalkVocabulary {
  // Tokens are numbered by descending count (ties by node id), as word2vec and gensim sort their
  // vocabulary, so the rows most pairs and noise draws touch sit together in memory. (Measured on
  // the 1M-relation bench network: no change in pairs/s within noise; kept for the same layout
  // as the implementations users compare against.)
  const kept: number[] = [];
  for (let v = 0; v < counts.length; v++) if (counts[v] >= minCount && counts[v] > 0) kept.push(v);
  kept.sort((a, b) => counts[b] - counts[a] || a - b);
  const size = kept.length;
  const tokenOf = new Int32Array(counts.length).fill(-1);
  kept.forEach((v, token) => {
    tokenOf[v] = token;
  });
  const nodeOf = new Int32Array(size);
  const tokenCounts = new Float64Array(size);
  const typeOf = new Int32Array(size);
  for (let v = 0; v < counts.length; v++) {
    const token = tokenOf[v];
    if (token < 0) continue;
    nodeOf[token] = v;
    tokenCounts[token] = counts[v];
    typeOf[token] = network.nodeType[v];
  }
  return { size, counts: tokenCounts, typeOf, types: network.types.length, nodeOf, tokenOf };
}

/** Pairs of one pass over the corpus in vocabulary tokens (a pass over the walks when min_count drops some). */
export async function pairsPerPass(
  corpus: WalkCorpus,
  vocab: WalkVocabulary,
  window: number,
): Promise<number> {
  let pairs = 0;
  for await (const chunk of corpus.chunks(vocab)) {
    for (let w = 0; w + 1 < chunk.offsets.length; w++) {
      pairs += pairsInWalk(chunk.offsets[w + 1] - chunk.offsets[w], window);
    }
  }
  return pairs;
}
