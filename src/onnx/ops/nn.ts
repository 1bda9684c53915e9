// Neural-network activations and helpers: softmax, GELU, softplus, L2 normalisation, dropout,
// attention masks and the linear layer. Forwards use fused onnxruntime kernels where they are
// faster; every gradient is composed from other ops so backward graphs stay differentiable.
import type { DType, Shape } from '../dtype.ts';
import { type Graph, type Op, ShapeError, type Tensor } from '../graph.ts';
import { add, erf, exp, maximum, mul, neg, reciprocal, sigmoid, sqrt, sub, where } from './elementwise.ts';
import { matmul } from './linalg.ts';
import { reduceSum } from './reduce.ts';

function axisOf(op: string, x: Tensor, axis: number): number {
  const a = axis < 0 ? axis + x.rank : axis;
  if (a < 0 || a >= x.rank) throw new ShapeError(op, `axis ${axis} out of range`, [x]);
  return a;
}

const SoftmaxOp: Op<number> = {
  name: 'Softmax',
  forward: (g, [x], axis) =>
    g.node('Softmax', [x], [{ shape: x.shape, dtype: x.dtype }], { axis: { int: axis } }),
  // y * (gy - sum(gy * y)): the Jacobian of softmax applied to gy, from the output alone.
  backward(_g, { outputs: [y], attrs: axis }, [gy]) {
    return [mul(y, sub(gy!, reduceSum(mul(gy!, y), [axis], true)))];
  },
};

const LogSoftmaxOp: Op<number> = {
  name: 'LogSoftmax',
  forward: (g, [x], axis) =>
    g.node('LogSoftmax', [x], [{ shape: x.shape, dtype: x.dtype }], { axis: { int: axis } }),
  backward(_g, { outputs: [y], attrs: axis }, [gy]) {
    return [sub(gy!, mul(exp(y), reduceSum(gy!, [axis], true)))];
  },
};

export function softmax(x: Tensor, axis = -1): Tensor {
  return x.graph.apply(SoftmaxOp, [x], axisOf('Softmax', x, axis))[0];
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return x.graph.apply(LogSoftmaxOp, [x], axisOf('LogSoftmax', x, axis))[0];
}

export type GeluApproximation = 'none' | 'tanh';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

const GeluOp: Op<GeluApproximation> = {
  name: 'Gelu',
  forward(g, [x], approximate) {
    const out = [{ shape: x.shape, dtype: x.dtype }];
    // Measured on 64x200x256 float32 (2 cores): com.microsoft Gelu 6.3 ms, FastGelu 7.7 ms,
    // ONNX Gelu 10.1 ms (tanh 18.7 ms), Erf composition 15.2 ms.
    if (x.dtype === 'float32') {
      return g.node(approximate === 'tanh' ? 'FastGelu' : 'Gelu', [x], out, {}, 'com.microsoft');
    }
    return g.node('Gelu', [x], out, { approximate: { string: approximate } });
  },
  backward(_g, { inputs: [x], attrs: approximate }, [gy]) {
    if (approximate === 'tanh') {
      // y = x/2 (1 + tanh u) = x s with s = sigmoid(2u), 2u = x (k1 + k2 x^2); so
      // dy/dx = s (1 + x (1 - s) (k1 + 3 k2 x^2)). 13 passes over x where the tanh form took 18
      // (the FFN's [12800, 256] GELU of the engine benchmark: ~15% less CPU, measured).
      const k1 = 2 * SQRT_2_OVER_PI;
      const k2 = k1 * GELU_CUBIC;
      const cubic = mul(mul(x, x), k2);
      const s = sigmoid(mul(add(cubic, k1), x));
      const slope = add(mul(cubic, 3), k1);
      return [mul(gy!, mul(s, add(mul(mul(sub(1, s), x), slope), 1)))];
    }
    // d/dx x Phi(x) = Phi(x) + x phi(x)
    const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
    const pdf = mul(exp(mul(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return [mul(gy!, add(cdf, mul(x, pdf)))];
  },
};

/**
 * GELU, exact (x Phi(x)) or with the tanh approximation. Exact GELU needs Erf, which has no
 * float64 kernel in onnxruntime, so it exists in float32 only.
 */
export function gelu(x: Tensor, approximate: GeluApproximation = 'none'): Tensor {
  if (approximate === 'none' && x.dtype !== 'float32') {
    throw new ShapeError('Gelu', 'exact GELU needs Erf, which onnxruntime has in float32 only', [x]);
  }
  return x.graph.apply(GeluOp, [x], approximate)[0];
}

const SoftplusOp: Op = {
  name: 'Softplus',
  // max(x, 0) + log(1 + exp(-|x|)): never overflows. Composed rather than ONNX Softplus, which
  // has no float64 kernel and measured slower in float32.
  forward(g, [x]) {
    const like = [{ shape: x.shape, dtype: x.dtype }];
    const [negAbs] = g.node('Neg', [g.node('Abs', [x], like)[0]], like);
    const [onePlus] = g.node('Add', [g.node('Exp', [negAbs], like)[0], g.scalar(1, x.dtype)], like);
    return g.node('Add', [g.node('Relu', [x], like)[0], g.node('Log', [onePlus], like)[0]], like);
  },
  backward: (_g, { inputs: [x] }, [gy]) => [mul(gy!, sigmoid(x))],
};

/** log(1 + exp(x)), numerically stable. */
export function softplus(x: Tensor): Tensor {
  return x.graph.apply(SoftplusOp, [x], undefined)[0];
}

/** log(sigmoid(x)) = -softplus(-x), stable for large |x| (skip-gram and BCE losses). */
export function logSigmoid(x: Tensor): Tensor {
  return neg(softplus(neg(x)));
}

/**
 * x / max(||x||, eps) along `axis` (as torch.nn.functional.normalize). The norm is taken as
 * sqrt(max(sum x^2, eps^2)) so an all-zero row (padding) gets a finite gradient.
 */
export function l2Normalize(x: Tensor, axis = -1, eps = 1e-12): Tensor {
  const a = axisOf('L2Normalize', x, axis);
  const norm = sqrt(maximum(reduceSum(mul(x, x), [a], true), eps * eps));
  return mul(x, reciprocal(norm));
}

/** y = x w (+ b), w of shape [in, out]. onnxruntime fuses MatMul + Add into Gemm/FusedMatMul. */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  const y = matmul(x, w);
  return b ? add(y, b) : y;
}

/** An additive attention bias from a keep mask (true = may attend): 0 where kept, -1e9 elsewhere. */
export function attentionBias(keep: Tensor, dtype: DType = 'float32'): Tensor {
  if (keep.dtype !== 'bool') throw new ShapeError('AttentionBias', 'the keep mask must be bool', [keep]);
  // -1e9 rather than -inf: a fully masked row then gives a uniform softmax instead of NaN.
  return where(keep, keep.graph.scalar(0, dtype), -1e9);
}

export interface DropoutOptions {
  /** probability of zeroing an element; 0 makes dropout the identity */
  p: number;
  /** int32 or int64 scalar fed per step (e.g. the step counter mixed with the run's seed) */
  seed: Tensor;
}

interface MaskAttrs {
  shape: Shape;
  p: number;
  salt: number;
}

// A SplitMix-style counter hash: block i of a site draws murmur3's finaliser of
// (i * golden ratio + key(seed, site)). int32 arithmetic wraps the same way on every device,
// so the CPU and a GPU draw identical masks for the same seed (webgpu.test.ts checks it).
const HASH = {
  index: 0x9e3779b1 | 0,
  seed: 0x85ebca77 | 0,
  salt: 0xc2b2ae3d | 0,
  mix1: 0x85ebca6b | 0,
  mix2: 0xc2b2ae35 | 0,
};

/**
 * Mask values come from two fixed tables of 16-bit uniform draws, TABLE_ROWS rows of ROW each:
 * the hash picks, for each block of ROW mask elements, one row of each table, and the XOR of
 * the two rows is compared with p. Hashing every element took ~16 int32 passes over the mask
 * (a 64x2x200x200 attention mask: ~90 ms of CPU on 2 cores); one hash per block and two row
 * gathers take ~5 passes over 16-bit values (~18 ms). Within a block the values are the
 * tables' independent draws; two blocks repeat a pattern only when both of their row picks
 * collide (probability 1 / TABLE_ROWS^2 for a pair).
 */
const ROW = 256;
const TABLE_ROWS = 4096;
const LEVELS = 65536;

/** The two tables (mulberry32 from seeds 1 and 2, high 16 bits): fixed, the same everywhere. */
export function dropoutTables(): [Int32Array, Int32Array] {
  const table = (seed: number) => {
    let a = seed;
    return Int32Array.from({ length: TABLE_ROWS * ROW }, () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) >>> 16;
    });
  };
  return [table(1), table(2)];
}

// One pair of table constants per graph, shared by every dropout site.
const tableConstants = new WeakMap<Graph, [Tensor, Tensor]>();

function tablesOf(g: Graph): [Tensor, Tensor] {
  let tables = tableConstants.get(g);
  if (!tables) {
    // uint16 halves the bytes each mask pass moves. The builder has no uint16 dtype; these
    // values never leave this op, so their recorded dtype is nominal. onnxruntime folds the Cast.
    const [a, b] = dropoutTables().map(
      (values) =>
        g.node(
          'Cast',
          [g.constant(values, [TABLE_ROWS, ROW], 'int32', 'dropout_table')],
          [{ shape: [TABLE_ROWS, ROW], dtype: 'int32' }],
          { to: { int: 4 } },
        )[0],
    );
    tables = [a, b];
    tableConstants.set(g, tables);
  }
  return tables;
}

const DropoutKeepOp: Op<MaskAttrs> = {
  name: 'DropoutKeep',
  forward(g, [seed], { shape, p, salt }) {
    const n = shape.reduce((a, b) => a * b, 1);
    const rows = Math.ceil(n / ROW);
    const i32 = (s: Shape) => [{ shape: s, dtype: 'int32' as DType }];
    const c = (v: number) => g.scalar(v, 'int32');
    const [scalarSeed] = g.node('Reshape', [seed, g.int64s([])], [{ shape: [], dtype: seed.dtype }]);
    const seed32 =
      seed.dtype === 'int32' ? scalarSeed : g.node('Cast', [scalarSeed], i32([]), { to: { int: 6 } })[0];
    const [mixedSeed] = g.node(
      'Add',
      [g.node('Mul', [seed32, c(HASH.seed)], i32([]))[0], c(Math.imul(salt, HASH.salt))],
      i32([]),
    );
    const [counter] = g.node('Range', [c(0), c(rows), c(1)], i32([rows]));
    let [h] = g.node(
      'Add',
      [g.node('Mul', [counter, c(HASH.index)], i32([rows]))[0], mixedSeed],
      i32([rows]),
    );
    // h ^= h >>> k, with the shift as a truncating division masked to its low 32 - k bits
    // (BitShift has no signed kernel); off by one from a logical shift for some negative h,
    // which changes the hash but not its mixing, and is the same on every device.
    const fold = (k: number) => {
      const [shifted] = g.node('Div', [h, c(2 ** k)], i32([rows]));
      const [low] = g.node('BitwiseAnd', [shifted, c(2 ** (32 - k) - 1)], i32([rows]));
      return g.node('BitwiseXor', [h, low], i32([rows]))[0];
    };
    h = fold(16);
    [h] = g.node('Mul', [h, c(HASH.mix1)], i32([rows]));
    h = fold(13);
    [h] = g.node('Mul', [h, c(HASH.mix2)], i32([rows]));
    h = fold(16);
    // the two row picks: the low 12 bits of h and of h / 2^16
    const [pickA] = g.node('BitwiseAnd', [h, c(TABLE_ROWS - 1)], i32([rows]));
    const [high] = g.node('Div', [h, c(LEVELS)], i32([rows]));
    const [pickB] = g.node('BitwiseAnd', [high, c(TABLE_ROWS - 1)], i32([rows]));
    const [tableA, tableB] = tablesOf(g);
    const blocks = i32([rows, ROW]);
    const [rowA] = g.node('Gather', [tableA, pickA], blocks, { axis: { int: 0 } });
    const [rowB] = g.node('Gather', [tableB, pickB], blocks, { axis: { int: 0 } });
    const [u] = g.node('BitwiseXor', [rowA, rowB], blocks);
    // u is uniform on [0, 2^16): keep with probability 1 - round(p 2^16) / 2^16
    const [threshold] = g.node('Cast', [c(Math.round(p * LEVELS))], i32([]), { to: { int: 4 } });
    let [keep] = g.node('GreaterOrEqual', [u, threshold], [{ shape: [rows, ROW], dtype: 'bool' }]);
    if (rows * ROW !== n) {
      const flat = [{ shape: [rows * ROW], dtype: 'bool' as DType }];
      const [all] = g.node('Reshape', [keep, g.int64s([rows * ROW])], flat);
      [keep] = g.node('Slice', [all, g.int64s([0]), g.int64s([n])], [{ shape: [n], dtype: 'bool' }]);
    }
    return g.node('Reshape', [keep, g.int64s([...shape])], [{ shape, dtype: 'bool' }]);
  },
  backward: () => [null],
};

const dropoutSites = new WeakMap<Graph, number>();

/**
 * The keep mask (true = kept) of one dropout site, drawn with probability 1 - p per element.
 * Read from fixed tables at rows a counter-based hash of (seed, site, block) picks, so a step
 * is reproducible from its seed, every site in a graph draws a different mask, and devices
 * agree. p is resolved to 1/65536.
 */
export function dropoutKeep(g: Graph, shape: Shape, { p, seed }: DropoutOptions): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if ((seed.dtype !== 'int32' && seed.dtype !== 'int64') || seed.size !== 1) {
    throw new ShapeError('Dropout', 'the seed must be an int32 or int64 scalar', [seed]);
  }
  const salt = (dropoutSites.get(g) ?? 0) + 1;
  dropoutSites.set(g, salt);
  return g.apply(DropoutKeepOp, [seed], { shape, p, salt })[0];
}

/** The inverted-dropout multiplier for one dropout site: 1/(1-p) where kept, 0 where dropped. */
export function dropoutMask(
  g: Graph,
  shape: Shape,
  options: DropoutOptions,
  dtype: DType = 'float32',
): Tensor {
  return where(dropoutKeep(g, shape, options), g.scalar(1 / (1 - options.p), dtype), 0);
}

/** Training-mode dropout; its gradient multiplies by the same mask. p = 0 returns x. */
export function dropout(x: Tensor, options: DropoutOptions): Tensor {
  if (options.p === 0) return x;
  return mul(x, dropoutMask(x.graph, x.shape, options, x.dtype));
}

const SoftmaxDropoutOp: Op<number> = {
  name: 'SoftmaxDropout',
  forward(g, [x, keep], axis) {
    const like = [{ shape: x.shape, dtype: x.dtype }];
    const [y] = g.node('Softmax', [x], like, { axis: { int: axis } });
    const [kept] = g.node('Where', [keep, y, g.scalar(0, x.dtype)], like);
    return [y, kept];
  },
  // With d = keep ? y : 0 and G = gy + (keep ? gd : 0), softmax's rule y (G - sum(G y)) becomes
  // d gd - y sum(d gd) when only d is used: four passes over x, no mask applied in backward.
  backward(_g, { inputs: [, keep], outputs: [y, kept], attrs: axis }, [gy, gd]) {
    if (gy) {
      const total = gd ? add(gy, where(keep, gd, 0)) : gy;
      return [mul(y, sub(total, reduceSum(mul(total, y), [axis], true))), null];
    }
    const p = mul(kept, gd!);
    return [sub(p, mul(y, reduceSum(p, [axis], true))), null];
  },
};

/**
 * softmax(x) and its dropped copy (softmax where kept, 0 where dropped), NOT rescaled by
 * 1/(1-p): the caller folds that scale into a smaller tensor (attention scales v, which
 * onnxruntime folds into the MatMul). One op so the backward shares its passes.
 */
export function softmaxDropout(
  x: Tensor,
  axis: number,
  options: DropoutOptions,
): { probabilities: Tensor; dropped: Tensor } {
  const a = axisOf('Softmax', x, axis);
  const keep = dropoutKeep(x.graph, x.shape, options);
  const [probabilities, dropped] = x.graph.apply(SoftmaxDropoutOp, [x, keep], a);
  return { probabilities, dropped };
}
