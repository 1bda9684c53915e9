// Gradient checks: the analytic gradient from `grad` against central finite differences of
// the same ONNX graph, run by onnxruntime in float64.
import ort from 'onnxruntime-node';
import { grad } from '../autodiff.ts';
import type { DType, Shape } from '../dtype.ts';
import { Graph, type Tensor } from '../graph.ts';
import { mul } from '../ops/elementwise.ts';
import { sumAll } from '../ops/reduce.ts';
import { mulberry32 } from './random.ts';

export interface GradCheckInput {
  shape: Shape;
  /** values; default uniform in [-1, 1) (or [0.5, 1.5) with `positive`) from the seed */
  values?: Float64Array;
  positive?: boolean;
  /** not differentiated (indices, masks); fed as given */
  constant?: boolean;
  dtype?: DType;
}

export interface GradCheckResult {
  maxRelativeError: number;
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
  checked: number;
}

export async function gradCheck(
  build: (g: Graph, inputs: Tensor[]) => Tensor,
  specs: readonly GradCheckInput[],
  { seed = 1, eps = 1e-6, maxElements = 24 } = {},
): Promise<GradCheckResult> {
  const rand = mulberry32(seed);
  const g = new Graph('gradcheck');
  const inputs = specs.map((s, i) => g.input(`x${i}`, s.shape, s.dtype ?? 'float64'));
  const out = build(g, inputs);
  // A random projection makes every output element matter with a different weight.
  const weights = Float64Array.from({ length: out.size }, () => rand() * 2 - 1);
  const loss = sumAll(mul(out, g.constant(weights, out.shape, 'float64', 'projection')));
  const wrt = inputs.filter((_, i) => !specs[i].constant);
  const grads = grad(loss, wrt);
  g.output('loss', loss);
  grads.forEach((t, i) => {
    g.output(`grad${i}`, t);
  });
  const session = await ort.InferenceSession.create(g.toModel(), { graphOptimizationLevel: 'disabled' });

  const values = specs.map((s) => {
    if (s.values) return s.values;
    const n = s.shape.reduce((a, b) => a * b, 1);
    return Float64Array.from({ length: n }, () => (s.positive ? 0.5 + rand() : rand() * 2 - 1));
  });
  const feeds = () =>
    Object.fromEntries(
      specs.map((s, i) => {
        const dtype = s.dtype ?? 'float64';
        const data = dtype === 'int64' ? BigInt64Array.from(values[i], (v) => BigInt(v)) : values[i];
        return [`x${i}`, new ort.Tensor(dtype, data, [...s.shape])];
      }),
    );
  const lossAt = async () => Number((await session.run(feeds())).loss.data[0]);

  const result = await session.run(feeds());
  let worst: GradCheckResult['worst'] = null;
  let maxRelativeError = 0;
  let checked = 0;
  let k = 0;
  for (let i = 0; i < specs.length; i++) {
    if (specs[i].constant) continue;
    const analytic = result[`grad${k++}`].data as Float64Array;
    const x = values[i];
    const picks =
      x.length <= maxElements
        ? [...x.keys()]
        : Array.from({ length: maxElements }, () => Math.floor(rand() * x.length));
    for (const j of picks) {
      const saved = x[j];
      x[j] = saved + eps;
      const plus = await lossAt();
      x[j] = saved - eps;
      const minus = await lossAt();
      x[j] = saved;
      const numeric = (plus - minus) / (2 * eps);
      const err = Math.abs(analytic[j] - numeric) / Math.max(1e-3, Math.abs(analytic[j]) + Math.abs(numeric));
      checked++;
      if (worst === null || err > maxRelativeError) {
        worst = { input: i, index: j, analytic: analytic[j], numeric };
        maxRelativeError = err;
      }
    }
  }
  await session.release();
  return { maxRelativeError, worst, checked };
}
