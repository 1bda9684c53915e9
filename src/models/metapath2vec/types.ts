// The contract between the meta-path walks (src/network, this folder) and every skip-gram
// trainer: the pure-TypeScript reference (skipgram-reference.ts), the WebAssembly SIMD Hogwild
// kernel (src/kernels) and the ONNX graph for GPU providers. Each trainer exports a function of
// type TrainSkipGram; training code picks one and never looks inside.

/**
 * Walks as token ids: walk i is `tokens[offsets[i] .. offsets[i + 1])`, so `offsets` has one
 * more entry than there are walks and `offsets[0] === 0`. Tokens are vocabulary ids (0..size-1).
 */
export interface SkipGramCorpus {
  tokens: Int32Array;
  offsets: Int32Array;
}

/**
 * A corpus too large to hold at once (the paper preset on DBLP is 1.4 G tokens), handed over in
 * chunks in their final order. `totalPairs` is the exact number of (center, context) pairs over
 * all chunks: the learning rate decays linearly from `lr` to `minLr` across it, not per chunk.
 */
export interface StreamedCorpus {
  chunks: AsyncIterable<SkipGramCorpus>;
  totalPairs: number;
}

export interface SkipGramConfig {
  dim: number;
  /** the paper's k: the context of position i is positions i-k .. i+k of the same walk, i excluded (no shrinking) */
  window: number;
  /** negative samples per (center, context) pair */
  negatives: number;
  /** passes over the corpus; a streamed corpus is re-read once per epoch */
  epochs: number;
  lr: number;
  /** the rate reached at the last pair; default lr * 1e-4 as in word2vec */
  minLr?: number;
  seed: number;
  /** worker threads; results may differ between thread counts (Hogwild), never in quality */
  threads: number;
  /**
   * plain: negatives from unigram^0.75 over all tokens (metapath2vec).
   * plusplus: negatives from unigram^0.75 over the tokens of the context token's type (metapath2vec++).
   */
  variant: 'plain' | 'plusplus';
}

export interface SkipGramVocab {
  size: number;
  /** frequency of each token in the whole corpus (all epochs counted once): the noise distribution's base */
  counts: Float64Array;
  /** node type of each token, 0..types-1 */
  typeOf: Int32Array;
  types: number;
}

export interface SkipGramOptions {
  /**
   * called now and then (not per pair) with pairs trained so far, over all epochs, and the total;
   * `loss` is the mean training loss per pair (-log σ of the positive score plus -log σ(-score) of
   * each negative, scored before the pair's update) over the pairs trained since the previous
   * call, absent when none were
   */
  onProgress?(pairsDone: number, totalPairs: number, loss?: number): void;
  /** aborting stops training at the next check; the promise then rejects with an AbortError */
  signal?: AbortSignal;
}

export interface SkipGramResult {
  /** input (center) vectors, row-major: `size x dim` */
  embeddings: Float32Array;
  /** (center, context) pairs trained, all epochs */
  pairs: number;
  /** mean training loss per pair of each epoch, in the sense of SkipGramOptions.onProgress */
  epochLoss: number[];
  seconds: number;
}

/**
 * For a streamed corpus with epochs > 1 the trainer iterates `chunks` once per epoch, so the
 * iterable must be re-iterable (each [Symbol.asyncIterator]() call starts from the first chunk).
 */
export type TrainSkipGram = (
  corpus: SkipGramCorpus | StreamedCorpus,
  vocab: SkipGramVocab,
  config: SkipGramConfig,
  options?: SkipGramOptions,
) => Promise<SkipGramResult>;

/** Pairs a walk of `length` tokens yields with window k: each position pairs with its neighbours within k. */
export function pairsInWalk(length: number, window: number): number {
  if (length < 2) return 0;
  const last = length - 1;
  // twice the sum over positions i of min(i, k): every pair is counted from both of its ends
  const leftPairs =
    last <= window ? (last * (last + 1)) / 2 : (window * (window + 1)) / 2 + (last - window) * window;
  return 2 * leftPairs;
}

/** Pairs of one pass over a corpus held in memory. */
export function pairsInCorpus(corpus: SkipGramCorpus, window: number): number {
  let pairs = 0;
  for (let w = 0; w + 1 < corpus.offsets.length; w++) {
    pairs += pairsInWalk(corpus.offsets[w + 1] - corpus.offsets[w], window);
  }
  return pairs;
}
