// Test support for ops whose kernels lack float64 in onnxruntime (Erf, Conv, pooling): run a
// graph once and read back its outputs and the gradients of a weighted sum of its output, so
// a test can compare both with a float64 reference it computes itself.
import ort from 'onnxruntime-node';
import { grad } from '../autodiff.ts';
import type { DType, Shape } from '../dtype.ts';
import { Graph, type Tensor } from '../graph.ts';
import { mulberry32 } from '../testing/random.ts';
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

/**
 * Central finite differences of sum(output * weights) in float32, for ops whose kernels exist
 * only in float32. Exact up to rounding for ops linear in the perturbed input (convolutions,
 * pooling), which is why those tests take `eps` = 1.
 */
export async function float32GradCheck(
  build: (g: Graph, inputs: Tensor[]) => Tensor,
  feeds: readonly Feed[],
  {
    weights,
    eps = 1,
    maxElements = 16,
    seed = 3,
  }: { weights?: ArrayLike<number>; eps?: number; maxElements?: number; seed?: number } = {},
): Promise<{ maxRelativeError: number; checked: number }> {
  const rand = mulberry32(seed);
  const g = new Graph('float32-gradcheck');
  const inputs = feeds.map((f, i) => g.input(`x${i}`, f.shape, f.dtype ?? 'float32'));
  const out = build(g, inputs);
  const projection = weights ?? Array.from({ length: out.size }, () => rand() * 2 - 1);
  const loss = sumAll(mul(out, g.constant(Float32Array.from(projection), out.shape, 'float32', 'weights')));
  const differentiated = feeds.flatMap((f, i) => (f.constant ? [] : [i]));
  g.output('loss', loss);
  grad(
    loss,
    differentiated.map((i) => inputs[i]),
  ).forEach((t, k) => {
    g.output(`grad${k}`, t);
  });
  const session = await ort.InferenceSession.create(g.toModel());
  const values = feeds.map((f) => hostArray(f.dtype ?? 'float32', f.values));
  const run = () =>
    session.run(
      Object.fromEntries(
        feeds.map((f, i) => [`x${i}`, new ort.Tensor(f.dtype ?? 'float32', values[i], [...f.shape])]),
      ),
    );
  try {
    const analytic = await run();
    let worst = 0;
    let checked = 0;
    for (const [k, i] of differentiated.entries()) {
      const x = values[i] as Float32Array;
      const gradient = analytic[`grad${k}`].data as Float32Array;
      const picks =
        x.length <= maxElements
          ? [...x.keys()]
          : Array.from({ length: maxElements }, () => Math.floor(rand() * x.length));
      for (const j of picks) {
        const saved = x[j];
        x[j] = saved + eps;
        const plus = Number((await run()).loss.data[0]);
        x[j] = saved - eps;
        const minus = Number((await run()).loss.data[0]);
        x[j] = saved;
        const numeric = (plus - minus) / (2 * eps);
        worst = Math.max(worst, Math.abs(gradient[j] - numeric) / Math.max(1e-2, Math.abs(numeric)));
        checked++;
      }
    }
    return { maxRelativeError: worst, checked };
  } finally {
    await session.release();
  }
}
