// The heterogeneous skip-gram with negative sampling in plain TypeScript, in the calling thread
// (config.threads is not used): the reference that the WebAssembly kernel and the ONNX graph are
// checked against, and the trainer used where neither is available. It follows the paper's objective (eq. 2 for metapath2vec,
// eq. 4 for metapath2vec++): for center v and context c,
//   log σ(X_c · X_v) + Σ_{m=1..M} log σ(-X_{u_m} · X_v),  u_m ~ P(u) (plain) or P_t(u), t = type of c (++),
// with word2vec's conventions: X_v from the input table, X_c and X_u from the output table,
// input rows initialised uniformly in ±0.5/dim, output rows at zero, a negative equal to c skipped.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type AliasTable, drawAlias, noiseTables } from './noise.ts';
import type {
  SkipGramConfig,
  SkipGramCorpus,
  SkipGramOptions,
  SkipGramResult,
  SkipGramVocab,
  StreamedCorpus,
  TrainSkipGram,
} from './types.ts';
import { pairsInCorpus } from './types.ts';

/** How often (in pairs) the trainer reports progress and lets a cancel message in. */
const checkEveryPairs = 200_000;

/** The tables and the sampler state; a plain object of typed arrays keeps the hot loop monomorphic. */
interface Model {
  dim: number;
  window: number;
  negatives: number;
  input: Float32Array;
  output: Float32Array;
  gradient: Float32Array;
  /** noise per context type (plusplus) or one table at index 0 (plain) */
  tables: (AliasTable | null)[];
  /** type of each token for plusplus, null for plain */
  typeOf: Int32Array | null;
  /** mulberry32 state */
  state: number;
}

function uniform(model: Model): number {
  model.state = (model.state + 0x6d2b79f5) | 0;
  const s = model.state;
  let r = Math.imul(s ^ (s >>> 15), 1 | s);
  r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
  return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
}

/** -log σ(x) = log(1 + e^-x), without overflow for large |x| */
function negLogSigmoid(x: number): number {
  return x < 0 ? -x + Math.log1p(Math.exp(x)) : Math.log1p(Math.exp(-x));
}

/**
 * One SGD step for (center, context) and its negatives; the center row moves after all of them,
 * as in word2vec. Returns the pair's loss, each score taken before its target's update.
 */
function trainPair(model: Model, center: number, context: number, rate: number): number {
  const { dim, input, output, gradient, negatives } = model;
  const v = center * dim;
  gradient.fill(0);
  let loss = 0;
  const table = model.tables[model.typeOf === null ? 0 : model.typeOf[context]];
  for (let m = 0; m <= negatives; m++) {
    let target = context;
    let label = 1;
    if (m > 0) {
      if (table === null) break;
      target = drawAlias(table, uniform(model), uniform(model));
      if (target === context) continue;
      label = 0;
    }
    const u = target * dim;
    let f = 0;
    for (let d = 0; d < dim; d++) f += input[v + d] * output[u + d];
    const g = (label - 1 / (1 + Math.exp(-f))) * rate;
    loss += negLogSigmoid(label === 1 ? f : -f);
    for (let d = 0; d < dim; d++) {
      gradient[d] += g * output[u + d];
      output[u + d] += g * input[v + d];
    }
  }
  for (let d = 0; d < dim; d++) input[v + d] += gradient[d];
  return loss;
}

/** Trains every pair of one walk at one rate, adding the pairs and their loss to `sum`. */
function trainWalk(
  model: Model,
  tokens: Int32Array,
  begin: number,
  end: number,
  rate: number,
  sum: LossSum,
): void {
  const window = model.window;
  for (let i = begin; i < end; i++) {
    const from = Math.max(begin, i - window);
    const to = Math.min(end - 1, i + window);
    for (let j = from; j <= to; j++) if (j !== i) sum.loss += trainPair(model, tokens[i], tokens[j], rate);
    sum.pairs += to - from;
  }
}

interface LossSum {
  loss: number;
  pairs: number;
}

function checkConfig(vocab: SkipGramVocab, config: SkipGramConfig): void {
  const positive = ['dim', 'window', 'epochs'] as const;
  for (const key of positive) {
    if (!Number.isInteger(config[key]) || config[key] < 1) {
      throw new RangeError(`skip-gram ${key} must be a whole number >= 1, got ${config[key]}`);
    }
  }
  if (!Number.isInteger(config.negatives) || config.negatives < 0) {
    throw new RangeError(`skip-gram negatives must be a whole number >= 0, got ${config.negatives}`);
  }
  if (!(config.lr > 0)) throw new RangeError(`skip-gram lr must be > 0, got ${config.lr}`);
  if (vocab.counts.length !== vocab.size || vocab.typeOf.length !== vocab.size) {
    throw new RangeError(`skip-gram vocab: counts and typeOf must have ${vocab.size} entries`);
  }
}

export const trainSkipGramReference: TrainSkipGram = async (
  corpus: SkipGramCorpus | StreamedCorpus,
  vocab: SkipGramVocab,
  config: SkipGramConfig,
  options: SkipGramOptions = {},
): Promise<SkipGramResult> => {
  checkConfig(vocab, config);
  const started = performance.now();
  const { dim, window, negatives, epochs, lr } = config;
  const minLr = config.minLr ?? lr * 1e-4;
  const model: Model = {
    dim,
    window,
    negatives,
    input: new Float32Array(vocab.size * dim),
    output: new Float32Array(vocab.size * dim),
    gradient: new Float32Array(dim),
    tables: noiseTables(vocab, config.variant),
    typeOf: config.variant === 'plusplus' ? vocab.typeOf : null,
    state: config.seed | 0,
  };
  for (let k = 0; k < model.input.length; k++) model.input[k] = (uniform(model) - 0.5) / dim;

  const streamed = 'chunks' in corpus;
  const pairsPerEpoch = streamed ? corpus.totalPairs : pairsInCorpus(corpus, window);
  const totalPairs = pairsPerEpoch * epochs;
  // pairs trained so far and their summed loss; a report or an epoch subtracts its starting copy
  const sum: LossSum = { loss: 0, pairs: 0 };
  let reported: LossSum = { ...sum };
  const report = () => {
    const pairs = sum.pairs - reported.pairs;
    options.onProgress?.(sum.pairs, totalPairs, pairs > 0 ? (sum.loss - reported.loss) / pairs : undefined);
    reported = { ...sum };
  };
  let nextCheck = checkEveryPairs;

  const trainChunk = async (chunk: SkipGramCorpus) => {
    const { tokens, offsets } = chunk;
    for (let w = 0; w + 1 < offsets.length; w++) {
      const begin = offsets[w];
      const end = offsets[w + 1];
      // the rate steps once per walk: a walk is a few hundred pairs of many millions
      const rate = Math.max(minLr, lr - ((lr - minLr) * sum.pairs) / Math.max(1, totalPairs));
      trainWalk(model, tokens, begin, end, rate, sum);
      if (sum.pairs >= nextCheck) {
        nextCheck = sum.pairs + checkEveryPairs;
        report();
        await yieldToEventLoop();
        options.signal?.throwIfAborted();
      }
    }
  };

  options.signal?.throwIfAborted();
  const epochLoss: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const epochStart = { ...sum };
    if (streamed) for await (const chunk of corpus.chunks) await trainChunk(chunk);
    else await trainChunk(corpus);
    epochLoss.push((sum.loss - epochStart.loss) / Math.max(1, sum.pairs - epochStart.pairs));
  }
  report();
  return {
    embeddings: model.input,
    pairs: sum.pairs,
    epochLoss,
    seconds: (performance.now() - started) / 1000,
  };
};
