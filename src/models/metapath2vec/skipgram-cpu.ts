// The CPU skip-gram trainer: the WebAssembly SIMD kernel (src/kernels/skipgram) run by
// config.threads worker threads on one shared memory, Hogwild (no locks), as word2vec and gensim
// do. Each thread takes a contiguous slice of the walks balanced by tokens; the learning rate
// decays with the pairs done by all threads together, read from a shared counter.
//
// Determinism: with threads = 1 a seed gives bit-identical embeddings. With more threads the
// order in which rows are updated, and the learning rate a pair sees, depend on timing.
import { Worker } from 'node:worker_threads';
import {
  instantiate,
  type SkipGramExports,
  SkipGramLayout,
  seedThreads,
  skipGramModule,
  writeCorpus,
  writeTables,
} from '../../kernels/skipgram/kernel.ts';
import { packNoiseTables } from '../../kernels/skipgram/noise.ts';
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

const workerEntry = new URL('../../kernels/skipgram/skipgram-worker.mjs', import.meta.url);
const PROGRESS_EVERY_MS = 100;
const MAX_THREADS = 256;

export const trainSkipGramCpu: TrainSkipGram = async (
  corpus: SkipGramCorpus | StreamedCorpus,
  vocab: SkipGramVocab,
  config: SkipGramConfig,
  options: SkipGramOptions = {},
): Promise<SkipGramResult> => {
  checkSkipGram(vocab, config);
  options.signal?.throwIfAborted();
  const started = performance.now();
  const streamed = 'chunks' in corpus;
  if (!streamed) checkCorpus(corpus, vocab.size, 'the corpus');
  const pairsPerEpoch = streamed ? corpus.totalPairs : pairsInCorpus(corpus, config.window);
  if (!(pairsPerEpoch > 0)) {
    throw new RangeError(
      'skip-gram: the corpus has no (center, context) pair to train on (no walk has 2 tokens or more)',
    );
  }
  const totalPairs = pairsPerEpoch * config.epochs;
  const minLr = config.minLr ?? config.lr * 1e-4;

  const layout = new SkipGramLayout({
    size: vocab.size,
    dim: config.dim,
    types: vocab.types,
    threads: config.threads,
    negatives: config.negatives,
  });
  const memory = layout.createMemory(streamed ? 0 : (corpus.offsets.length + corpus.tokens.length) * 4 + 64);
  writeTables(memory, layout, packNoiseTables(vocab), vocab.typeOf);
  seedThreads(memory, layout, config.seed);
  const host: SkipGramExports = instantiate(memory);
  host.initInput(layout.input, vocab.size * config.dim, config.dim, layout.rng(0));

  const threads = await Promise.all(
    Array.from({ length: config.threads }, () => TrainingThread.start(memory)),
  );
  const pairsDone = new BigInt64Array(memory.buffer, layout.pairsDone, 1);
  const cancelFlag = new Int32Array(memory.buffer, layout.cancel, 1);
  const cancel = () => Atomics.store(cancelFlag, 0, 1);
  options.signal?.addEventListener('abort', cancel);
  // the loss reported is the mean per pair over the pairs flushed since the previous report
  let reported = { loss: 0, pairs: 0 };
  const report = () => {
    const done = Number(Atomics.load(pairsDone, 0));
    const totals = layout.lossTotals(memory);
    const pairs = totals.pairs - reported.pairs;
    const loss = pairs > 0 ? (totals.loss - reported.loss) / pairs : undefined;
    if (pairs > 0) reported = totals;
    options.onProgress?.(done, totalPairs, loss);
  };
  const timer = options.onProgress ? setInterval(report, PROGRESS_EVERY_MS) : null;

  const trainChunk = async (chunk: SkipGramCorpus): Promise<number> => {
    const at = writeCorpus(memory, layout, chunk);
    const slices = sliceWalks(chunk.offsets, config.threads);
    const trained = await Promise.all(
      threads.map((thread, t) =>
        thread.train([
          layout.input,
          layout.output,
          config.dim,
          at.tokens,
          at.offsets,
          slices[t],
          slices[t + 1],
          config.window,
          config.negatives,
          layout.noiseProb,
          layout.noisePrimary,
          layout.noiseAlias,
          layout.bounds,
          layout.typeOf,
          config.variant === 'plusplus' ? 1 : 0,
          layout.sigmoid,
          layout.negLogSigmoid,
          layout.scratch(t),
          layout.rng(t),
          layout.loss(t),
          layout.pairsDone,
          layout.cancel,
          totalPairs,
          config.lr,
          minLr,
        ]),
      ),
    );
    return trained.reduce((a, b) => a + b, 0);
  };

  let pairs = 0;
  const epochLoss: number[] = [];
  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      // every thread has flushed its accumulator when its slice's call returns
      const epochStart = layout.lossTotals(memory);
      if (streamed) {
        for await (const chunk of corpus.chunks) {
          checkCorpus(chunk, vocab.size, 'a corpus chunk');
          pairs += await trainChunk(chunk);
          options.signal?.throwIfAborted();
        }
      } else {
        pairs += await trainChunk(corpus);
      }
      options.signal?.throwIfAborted();
      const epochEnd = layout.lossTotals(memory);
      epochLoss.push((epochEnd.loss - epochStart.loss) / Math.max(1, epochEnd.pairs - epochStart.pairs));
    }
  } finally {
    if (timer) clearInterval(timer);
    options.signal?.removeEventListener('abort', cancel);
    await Promise.all(threads.map((thread) => thread.stop()));
  }
  report();
  return {
    embeddings: new Float32Array(memory.buffer, layout.input, vocab.size * config.dim).slice(),
    pairs,
    epochLoss,
    seconds: (performance.now() - started) / 1000,
  };
};

/** One worker thread with the kernel instantiated on the shared memory; one slice at a time. */
class TrainingThread {
  private pending: { resolve(pairs: number): void; reject(error: Error): void } | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: { pairs?: number; error?: string }) => {
      const pending = this.pending;
      this.pending = null;
      if (message.error !== undefined) pending?.reject(new Error(`skip-gram thread: ${message.error}`));
      else pending?.resolve(message.pairs!);
    });
    worker.on('error', (error) => {
      this.pending?.reject(error);
      this.pending = null;
    });
  }

  static async start(memory: WebAssembly.Memory): Promise<TrainingThread> {
    const worker = new Worker(workerEntry, { workerData: { module: skipGramModule(), memory } });
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    return new TrainingThread(worker);
  }

  train(args: number[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(args);
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Walk boundaries giving each of `threads` slices about the same number of tokens. */
function sliceWalks(offsets: Int32Array, threads: number): number[] {
  const walks = offsets.length - 1;
  const tokens = offsets[walks];
  const bounds = [0];
  let w = 0;
  for (let t = 1; t < threads; t++) {
    const target = (tokens * t) / threads;
    let lo = w;
    let hi = walks;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (offsets[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    w = lo;
    bounds.push(w);
  }
  bounds.push(walks);
  return bounds;
}

function checkSkipGram(vocab: SkipGramVocab, config: SkipGramConfig): void {
  for (const key of ['dim', 'window', 'epochs', 'threads'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) {
      throw new RangeError(`skip-gram ${key} must be a whole number >= 1, got ${config[key]}`);
    }
  }
  if (config.threads > MAX_THREADS) {
    throw new RangeError(`skip-gram threads must be at most ${MAX_THREADS}, got ${config.threads}`);
  }
  if (!Number.isInteger(config.negatives) || config.negatives < 0) {
    throw new RangeError(`skip-gram negatives must be a whole number >= 0, got ${config.negatives}`);
  }
  if (!(config.lr > 0) || !Number.isFinite(config.lr)) {
    throw new RangeError(`skip-gram lr must be a finite number > 0, got ${config.lr}`);
  }
  if (config.minLr !== undefined && !(config.minLr >= 0 && config.minLr <= config.lr)) {
    throw new RangeError(`skip-gram minLr must be between 0 and lr (${config.lr}), got ${config.minLr}`);
  }
  if (!Number.isInteger(vocab.size) || vocab.size < 1) {
    throw new RangeError(`skip-gram vocab: size must be a whole number >= 1, got ${vocab.size}`);
  }
  if (vocab.counts.length !== vocab.size || vocab.typeOf.length !== vocab.size) {
    throw new RangeError(`skip-gram vocab: counts and typeOf must have ${vocab.size} entries`);
  }
  for (let v = 0; v < vocab.size; v++) {
    const t = vocab.typeOf[v];
    if (t < 0 || t >= vocab.types) {
      throw new RangeError(`skip-gram vocab: token ${v} has type ${t}, outside 0..${vocab.types - 1}`);
    }
  }
}

/** The kernel reads rows by token id unchecked, so every id is checked here first. */
function checkCorpus(corpus: SkipGramCorpus, size: number, what: string): void {
  const { tokens, offsets } = corpus;
  if (offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== tokens.length) {
    throw new RangeError(`skip-gram: ${what} has offsets that do not span its ${tokens.length} tokens`);
  }
  for (let w = 0; w + 1 < offsets.length; w++) {
    if (offsets[w + 1] < offsets[w])
      throw new RangeError(`skip-gram: ${what} has decreasing offsets at walk ${w}`);
  }
  for (let i = 0; i < tokens.length; i++) {
    if (!(tokens[i] >= 0 && tokens[i] < size)) {
      throw new RangeError(
        `skip-gram: ${what} has token ${tokens[i]} at ${i}, outside the vocabulary 0..${size - 1}`,
      );
    }
  }
}
