// Neural-network activations and helpers: softmax, GELU, softplus, L2 normalisation, dropout,
// attention masks and the linear layer. Forwards use fused onnxruntime kernels where they are
// faster; every gradient is composed from other ops so backward graphs stay differentiable.
import type { DType, Shape } from '../dtype.ts';
import { type Graph, type Op, ShapeError, type Tensor } from '../graph.ts';
import {
  add,
  erf,
  exp,
  maximum,
  mul,
  neg,
  reciprocal,
  sigmoid,
  sqrt,
  sub,
  tanh,
  where,
} from './elementwise.ts';
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
      // y = x/2 (1 + tanh u), u = sqrt(2/pi) (x + c x^3)
      const x2 = mul(x, x);
      const t = tanh(mul(add(x, mul(mul(x2, x), GELU_CUBIC)), SQRT_2_OVER_PI));
      const du = mul(add(mul(x2, 3 * GELU_CUBIC), 1), SQRT_2_OVER_PI);
      const dy = add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, mul(t, t))), du));
      return [mul(gy!, dy)];
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
  dtype: DType;
  salt: number;
}

// A SplitMix-style counter hash: element i of a site draws murmur3's finaliser of
// (i * golden ratio + key(seed, site)). int32 arithmetic wraps the same way on every device,
// so the CPU and a GPU draw identical masks for the same seed (webgpu.test.ts checks it).
const HASH = {
  index: 0x9e3779b1 | 0,
  seed: 0x85ebca77 | 0,
  salt: 0xc2b2ae3d | 0,
  mix1: 0x85ebca6b | 0,
  mix2: 0xc2b2ae35 | 0,
};

const DropoutMaskOp: Op<MaskAttrs> = {
  name: 'DropoutMask',
  forward(g, [seed], { shape, p, dtype, salt }) {
    const n = shape.reduce((a, b) => a * b, 1);
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
    const [counter] = g.node(
      'Reshape',
      [g.node('Range', [c(0), c(n), c(1)], i32([n]))[0], g.int64s([...shape])],
      i32(shape),
    );
    let [h] = g.node('Add', [g.node('Mul', [counter, c(HASH.index)], i32(shape))[0], mixedSeed], i32(shape));
    // h ^= h >>> k, with the shift as a truncating division masked to its low 32 - k bits
    // (BitShift has no signed kernel); off by one from a logical shift for some negative h,
    // which changes the hash but not its mixing, and is the same on every device.
    const fold = (k: number) => {
      const [shifted] = g.node('Div', [h, c(2 ** k)], i32(shape));
      const [low] = g.node('BitwiseAnd', [shifted, c(2 ** (32 - k) - 1)], i32(shape));
      return g.node('BitwiseXor', [h, low], i32(shape))[0];
    };
    h = fold(16);
    [h] = g.node('Mul', [h, c(HASH.mix1)], i32(shape));
    h = fold(13);
    [h] = g.node('Mul', [h, c(HASH.mix2)], i32(shape));
    h = fold(16);
    // 24 high bits, uniform on [-2^23, 2^23]: keep with probability 1 - p
    const [u] = g.node('Div', [h, c(256)], i32(shape));
    const [keep] = g.node(
      'GreaterOrEqual',
      [u, c(Math.round(-(2 ** 23) + p * 2 ** 24))],
      [{ shape, dtype: 'bool' }],
    );
    return g.node('Where', [keep, g.scalar(1 / (1 - p), dtype), g.scalar(0, dtype)], [{ shape, dtype }]);
  },
  backward: () => [null],
};

const dropoutSites = new WeakMap<Graph, number>();

/**
 * The inverted-dropout multiplier for one dropout site: 1/(1-p) where kept, 0 where dropped.
 * Drawn by a counter-based hash of (seed, site, element index), so a step is reproducible from
 * its seed, every site in a graph draws a different mask, and devices agree.
 */
export function dropoutMask(
  g: Graph,
  shape: Shape,
  { p, seed }: DropoutOptions,
  dtype: DType = 'float32',
): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if ((seed.dtype !== 'int32' && seed.dtype !== 'int64') || seed.size !== 1) {
    throw new ShapeError('Dropout', 'the seed must be an int32 or int64 scalar', [seed]);
  }
  const salt = (dropoutSites.get(g) ?? 0) + 1;
  dropoutSites.set(g, salt);
  return g.apply(DropoutMaskOp, [seed], { shape, p, dtype, salt })[0];
}

/** Training-mode dropout; its gradient multiplies by the same mask. p = 0 returns x. */
export function dropout(x: Tensor, options: DropoutOptions): Tensor {
  if (options.p === 0) return x;
  return mul(x, dropoutMask(x.graph, x.shape, options, x.dtype));
}
