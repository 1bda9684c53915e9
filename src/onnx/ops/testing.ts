// Test support for ops whose kernels lack float64 in onnxruntime (Erf, Conv, pooling): run a
// graph once and read back its outputs and the gradients of a weighted sum of its output, so
// a test can compare both with a float64 reference it computes itself.
import ort from 'onnxruntime-node';
import { grad } from '../autodiff.ts';
import type { DType, Shape } from '../dtype.ts';
import { Graph, type Tensor } from '../graph.ts';
import { mul } from './elementwise.ts';
import { sumAll } from './reduce.ts';

export interface Feed {
  shape: Shape;
  values: ArrayLike<number>;
  dtype?: DType;
  /** not differentiated (ids, seeds) */
  constant?: boolean;
}

function hostArray(dtype: DType, values: ArrayLike<number>) {
  switch (dtype) {
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(Array.from(values), (v) => BigInt(v));
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
      return Uint8Array.from(values);
    default:
      return Float32Array.from(values);
  }
}

/** Runs `build` once; returns every named output as numbers. */
export async function evaluate(
  build: (g: Graph, inputs: Tensor[]) => Record<string, Tensor>,
  feeds: readonly Feed[],
): Promise<Record<string, number[]>> {
  const g = new Graph('evaluate');
  const inputs = feeds.map((f, i) => g.input(`x${i}`, f.shape, f.dtype ?? 'float32'));
  for (const [name, t] of Object.entries(build(g, inputs))) g.output(name, t);
  const session = await ort.InferenceSession.create(g.toModel());
  try {
    const result = await session.run(
      Object.fromEntries(
        feeds.map((f, i) => [
          `x${i}`,
          new ort.Tensor(f.dtype ?? 'float32', hostArray(f.dtype ?? 'float32', f.values), [...f.shape]),
        ]),
      ),
    );
    return Object.fromEntries(
      Object.entries(result).map(([name, t]) => [
        name,
        Array.from(t.data as ArrayLike<number | bigint>, Number),
      ]),
    );
  } finally {
    await session.release();
  }
}

/**
 * The output of `build` and the gradients of sum(output * weights) with respect to every
 * non-constant feed (`grad0`, `grad1`, ... in feed order, constants skipped).
 */
export async function outputAndGradients(
  build: (g: Graph, inputs: Tensor[]) => Tensor,
  feeds: readonly Feed[],
  weights: ArrayLike<number>,
): Promise<{ output: number[]; grads: number[][] }> {
  const r = await evaluate((g, inputs) => {
    const out = build(g, inputs);
    const w = g.constant(hostArray(out.dtype, weights) as Float32Array, out.shape, out.dtype, 'weights');
    const gs = grad(
      sumAll(mul(out, w)),
      inputs.filter((_, i) => !feeds[i].constant),
    );
    return { output: out, ...Object.fromEntries(gs.map((t, i) => [`grad${i}`, t])) };
  }, feeds);
  const grads = Object.keys(r)
    .filter((k) => k.startsWith('grad'))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
    .map((k) => r[k]);
  return { output: r.output, grads };
}

/** Largest |a - b| / max(scale, |b|) over two arrays of equal length. */
export function maxRelativeError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  scale = 1e-3,
): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(scale, Math.abs(expected[i])));
  }
  return worst;
}
