// The host side of the UMAP layout kernel (src/kernels/umap/umap-layout.as): the compiled module,
// and the one shared memory every thread's instance works on (the layout, the edges with their
// sampling periods and clocks, one generator state per thread).
import { readFileSync } from 'node:fs';

const PAGE = 65536;
/** wasm32: 65536 pages of 64 KiB, the maximum the module is compiled with */
const MAX_PAGES = 65536;

/** The fuzzy graph as umap-learn's COO matrix: both directions of each pair, grouped by head. */
export interface LayoutEdges {
  head: Int32Array;
  tail: Int32Array;
  /** epochs between two samples of an edge: max weight / weight */
  period: Float64Array;
}

export interface LayoutCurve {
  /** the low-dimensional similarity is 1 / (1 + a d^(2b)), a and b fitted from min_dist */
  a: number;
  b: number;
  /** weight of the repulsive step (umap-learn's repulsion_strength) */
  gamma: number;
  /** negative samples per positive sample */
  negativeRate: number;
}

export interface LayoutKernel {
  layoutEpoch(...args: number[]): void;
}

let compiled: WebAssembly.Module | null = null;

/** The compiled kernel, shared by all instances (a WebAssembly.Module can be posted to workers). */
export function layoutModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    readFileSync(new URL('../kernels/umap/umap-layout.wasm', import.meta.url)),
  );
  return compiled;
}

export function instantiate(memory: WebAssembly.Memory): LayoutKernel {
  return new WebAssembly.Instance(layoutModule(), { env: { memory } }).exports as unknown as LayoutKernel;
}

const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** Byte offsets of everything in the shared memory, and the memory itself, filled. */
export class LayoutMemory {
  readonly memory: WebAssembly.Memory;
  readonly embedding: number;
  readonly head: number;
  readonly tail: number;
  readonly period: number;
  readonly nextSample: number;
  readonly nextNegative: number;
  /** one 64-byte block per thread, so that two threads' states never share a cache line */
  readonly rng: number;
  readonly points: number;
  readonly edges: number;

  constructor(start: Float32Array, edges: LayoutEdges, negativeRate: number, seeds: Uint32Array) {
    const n = start.length / 2;
    const m = edges.head.length;
    let at = 64;
    const take = (bytes: number) => {
      const begin = at;
      at = align(at + bytes);
      return begin;
    };
    this.embedding = take(n * 8);
    this.head = take(m * 4);
    this.tail = take(m * 4);
    this.period = take(m * 8);
    this.nextSample = take(m * 8);
    this.nextNegative = take(m * 8);
    this.rng = take(seeds.length * 64);
    this.points = n;
    this.edges = m;
    const pages = Math.ceil(at / PAGE);
    if (pages > MAX_PAGES) {
      throw new RangeError(
        `UMAP layout: ${n} points and ${m} edges need ${Math.ceil(at / 2 ** 30)} GiB, more than the 4 GiB a WebAssembly memory holds; use fewer neighbours`,
      );
    }
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const buffer = this.memory.buffer;
    new Float32Array(buffer, this.embedding, 2 * n).set(start);
    new Int32Array(buffer, this.head, m).set(edges.head);
    new Int32Array(buffer, this.tail, m).set(edges.tail);
    new Float64Array(buffer, this.period, m).set(edges.period);
    // an edge first fires after its own period, its negatives after period / negativeRate (umap-learn)
    new Float64Array(buffer, this.nextSample, m).set(edges.period);
    const nextNegative = new Float64Array(buffer, this.nextNegative, m);
    for (let e = 0; e < m; e++) nextNegative[e] = edges.period[e] / negativeRate;
    seeds.forEach((seed, t) => {
      new Uint32Array(buffer, this.rng + t * 64, 1)[0] = seed;
    });
  }

  /** layoutEpoch's arguments for edges [begin, end) on thread `slot`, less the epoch. */
  arguments(begin: number, end: number, slot: number): number[] {
    return [
      this.embedding,
      this.head,
      this.tail,
      this.period,
      this.nextSample,
      this.nextNegative,
      this.rng + slot * 64,
      this.points,
      begin,
      end,
    ];
  }

  /** A copy of the layout: x0, y0, x1, y1... */
  layout(): Float32Array {
    return new Float32Array(this.memory.buffer, this.embedding, 2 * this.points).slice();
  }
}

/** Runs epoch `epoch` of `epochs` with `args` from LayoutMemory.arguments. */
export function runEpoch(
  kernel: LayoutKernel,
  args: number[],
  epoch: number,
  epochs: number,
  curve: LayoutCurve,
): void {
  kernel.layoutEpoch(...args, epoch, epochs, curve.a, curve.b, curve.gamma, curve.negativeRate);
}
