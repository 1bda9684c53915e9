// The host side of the skip-gram kernel (skipgram.as): the compiled module, and the layout of
// the one shared memory every worker's instance works on (tables, noise, corpus, per-thread
// generator state, loss accumulator and scratch, the progress counter and the cancel flag).
import { readFileSync } from 'node:fs';
import type { SkipGramCorpus } from '../../models/metapath2vec/types.ts';
import type { NoiseTables } from './noise.ts';

const PAGE = 65536;
/** wasm32: 65536 pages of 64 KiB, the --maximumMemory the module is compiled with */
const MAX_PAGES = 65536;
const SIGMOID_SIZE = 1024;
const MAX_EXP = 6;
/** A thread's block: generator state (8 bytes), loss sum and count (16), then scratch 16-byte aligned for SIMD. */
const SCRATCH_AT = 32;

export interface SkipGramExports {
  initInput(table: number, count: number, dim: number, rng: number): void;
  sampleNoise(prob: number, primary: number, alias: number, begin: number, end: number, rng: number): number;
  trainWalks(...args: number[]): number;
}

let compiled: WebAssembly.Module | null = null;

/** The compiled kernel, shared by all instances (a WebAssembly.Module can be posted to workers). */
export function skipGramModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(new URL('./skipgram.wasm', import.meta.url)));
  return compiled;
}

export function instantiate(memory: WebAssembly.Memory): SkipGramExports {
  return new WebAssembly.Instance(skipGramModule(), { env: { memory } })
    .exports as unknown as SkipGramExports;
}

export interface LayoutSpec {
  size: number;
  dim: number;
  types: number;
  threads: number;
  /** negatives per pair: each thread's scratch holds a (target, gradient) slot for each, and the positive */
  negatives: number;
}

const align = (n: number) => Math.ceil(n / 64) * 64;

/** Byte offsets of everything in the shared memory. The corpus comes last so it can grow per chunk. */
export class SkipGramLayout {
  readonly sigmoid: number;
  readonly negLogSigmoid: number;
  readonly bounds: number;
  readonly typeOf: number;
  readonly noiseProb: number;
  readonly noisePrimary: number;
  readonly noiseAlias: number;
  readonly input: number;
  readonly output: number;
  readonly threadBlocks: number;
  readonly threadBlockBytes: number;
  readonly pairsDone: number;
  readonly cancel: number;
  readonly corpus: number;

  constructor(readonly spec: LayoutSpec) {
    const { size, dim, types, threads, negatives } = spec;
    let at = 64;
    const take = (bytes: number) => {
      const start = at;
      at = align(at + bytes);
      return start;
    };
    this.sigmoid = take(SIGMOID_SIZE * 4);
    this.negLogSigmoid = take(SIGMOID_SIZE * 4);
    this.bounds = take((types + 2) * 4);
    this.typeOf = take(size * 4);
    this.noiseProb = take(2 * size * 4);
    this.noisePrimary = take(2 * size * 4);
    this.noiseAlias = take(2 * size * 4);
    this.input = take(size * dim * 4);
    this.output = take(size * dim * 4);
    this.threadBlockBytes = align(SCRATCH_AT + dim * 4 + (negatives + 1) * 8);
    this.threadBlocks = take(threads * this.threadBlockBytes);
    this.pairsDone = take(8);
    this.cancel = take(4);
    this.corpus = at;
  }

  rng(thread: number): number {
    return this.threadBlocks + thread * this.threadBlockBytes;
  }

  /** The thread's loss accumulator: the f64 sum of its pairs' losses, then the i64 count of those pairs. */
  loss(thread: number): number {
    return this.rng(thread) + 8;
  }

  scratch(thread: number): number {
    return this.rng(thread) + SCRATCH_AT;
  }

  /** Sums of every thread's loss accumulator; the count is read before and after the sums, so both are of the same flushes. */
  lossTotals(memory: WebAssembly.Memory): { loss: number; pairs: number } {
    const buffer = memory.buffer;
    for (;;) {
      let pairs = 0n;
      let loss = 0;
      for (let t = 0; t < this.spec.threads; t++) {
        pairs += Atomics.load(new BigInt64Array(buffer, this.loss(t) + 8, 1), 0);
        loss += new Float64Array(buffer, this.loss(t), 1)[0];
      }
      let again = 0n;
      for (let t = 0; t < this.spec.threads; t++) {
        again += Atomics.load(new BigInt64Array(buffer, this.loss(t) + 8, 1), 0);
      }
      if (again === pairs) return { loss, pairs: Number(pairs) };
    }
  }

  /** Where a corpus of `walks` walks and `tokens` tokens is placed: offsets first, then tokens. */
  corpusAt(walks: number, tokens: number): { offsets: number; tokens: number; end: number } {
    const offsets = this.corpus;
    const tokensAt = align(offsets + (walks + 1) * 4);
    return { offsets, tokens: tokensAt, end: tokensAt + tokens * 4 };
  }

  /** A shared memory large enough for the tables and a first corpus of `corpusBytes`. */
  createMemory(corpusBytes: number): WebAssembly.Memory {
    const pages = Math.ceil((this.corpus + corpusBytes) / PAGE);
    if (pages > MAX_PAGES) {
      throw new Error(
        `skip-gram: ${this.spec.size} tokens x dimension ${this.spec.dim} need ${Math.ceil((pages * PAGE) / 2 ** 30)} GiB, ` +
          'more than the 4 GiB a WebAssembly memory can hold; lower the dimension or stream the corpus in smaller chunks',
      );
    }
    return new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
  }
}

/** Writes the logistic and loss tables, noise tables and token types; output vectors stay zero. */
export function writeTables(
  memory: WebAssembly.Memory,
  layout: SkipGramLayout,
  noise: NoiseTables,
  typeOf: Int32Array,
): void {
  const buffer = memory.buffer;
  const sigmoid = new Float32Array(buffer, layout.sigmoid, SIGMOID_SIZE);
  const negLogSigmoid = new Float32Array(buffer, layout.negLogSigmoid, SIGMOID_SIZE);
  const cellAt = (i: number) => ((i / SIGMOID_SIZE) * 2 - 1) * MAX_EXP;
  for (let i = 0; i < SIGMOID_SIZE; i++) {
    const e = Math.exp(cellAt(i));
    sigmoid[i] = e / (e + 1);
    // the kernel truncates a score to its cell: the cell's middle, not its left edge, keeps the
    // loss unbiased (the left edge overstated it by ~2% on the planted corpus)
    negLogSigmoid[i] = Math.log1p(Math.exp(-cellAt(i + 0.5)));
  }
  new Int32Array(buffer, layout.bounds, noise.bounds.length).set(noise.bounds);
  new Int32Array(buffer, layout.typeOf, typeOf.length).set(typeOf);
  new Float32Array(buffer, layout.noiseProb, noise.prob.length).set(noise.prob);
  new Int32Array(buffer, layout.noisePrimary, noise.primary.length).set(noise.primary);
  new Int32Array(buffer, layout.noiseAlias, noise.alias.length).set(noise.alias);
}

/** Seeds thread t's generator with splitmix64(seed, t): independent, reproducible streams. */
export function seedThreads(memory: WebAssembly.Memory, layout: SkipGramLayout, seed: number): void {
  for (let t = 0; t < layout.spec.threads; t++) {
    new BigUint64Array(memory.buffer, layout.rng(t), 1)[0] = splitmix64(BigInt(seed) * 1000003n + BigInt(t));
  }
}

/** Copies a corpus into the memory (growing it when needed); returns the kernel's pointers. */
export function writeCorpus(
  memory: WebAssembly.Memory,
  layout: SkipGramLayout,
  corpus: SkipGramCorpus,
): { offsets: number; tokens: number } {
  const walks = corpus.offsets.length - 1;
  const at = layout.corpusAt(walks, corpus.tokens.length);
  if (at.end > memory.buffer.byteLength) {
    const pages = Math.ceil((at.end - memory.buffer.byteLength) / PAGE);
    if (memory.buffer.byteLength / PAGE + pages > MAX_PAGES) {
      throw new Error(
        `skip-gram: a corpus chunk of ${corpus.tokens.length} tokens does not fit in the 4 GiB WebAssembly memory; stream smaller chunks`,
      );
    }
    memory.grow(pages);
  }
  new Int32Array(memory.buffer, at.offsets, walks + 1).set(corpus.offsets);
  new Int32Array(memory.buffer, at.tokens, corpus.tokens.length).set(corpus.tokens);
  return { offsets: at.offsets, tokens: at.tokens };
}

function splitmix64(x: bigint): bigint {
  const mask = (1n << 64n) - 1n;
  let z = (x + 0x9e3779b97f4a7c15n) & mask;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
  z = z ^ (z >> 31n);
  return z === 0n ? 1n : z;
}
