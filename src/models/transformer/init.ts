// Seeded parameter initialisation as the reference implementations do it. Each parameter draws
// from its own stream, keyed by (run seed, parameter name), so adding a layer or reordering
// declarations never changes the values of the others, and a run is reproducible from its seed.
import type { Shape } from '../../onnx/dtype.ts';
import { sizeOf } from '../../onnx/dtype.ts';

export type Initializer =
  /** normal(0, std) redrawn outside ±2 std (TensorFlow's truncated_normal: BERT, BERT4Rec) */
  | { kind: 'truncated-normal'; std: number }
  | { kind: 'normal'; std: number }
  /** uniform(±sqrt(6 / (fanIn + fanOut))) (Glorot & Bengio; ViT's dense layers) */
  | { kind: 'xavier-uniform'; fanIn: number; fanOut: number }
  | { kind: 'constant'; value: number };

export function initialValues(
  seed: number,
  name: string,
  shape: Shape,
  init: Initializer,
  dtype: 'float32' | 'float64' = 'float32',
): Float32Array | Float64Array {
  const n = sizeOf(shape);
  const out = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  if (init.kind === 'constant') return out.fill(init.value);
  const rand = stream(seed, name);
  if (init.kind === 'xavier-uniform') {
    const bound = Math.sqrt(6 / (init.fanIn + init.fanOut));
    for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * bound;
    return out;
  }
  const normal = () => {
    // Box-Muller; 1 - u keeps the logarithm finite
    const u = 1 - rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  for (let i = 0; i < n; i++) {
    let z = normal();
    if (init.kind === 'truncated-normal') while (Math.abs(z) > 2) z = normal();
    out[i] = z * init.std;
  }
  return out;
}

/** A uniform [0, 1) generator (mulberry32) seeded by a hash of the run seed and the name. */
function stream(seed: number, name: string): () => number {
  let h = Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x85ebca6b;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
