import assert from 'node:assert/strict';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { compileTrainStep } from '../compile.ts';
import type { DType } from '../dtype.ts';
import { Graph } from '../graph.ts';
import * as op from '../ops/index.ts';
import { runProgram } from '../testing/program-loop.ts';
import { mulberry32 } from '../testing/random.ts';
import { adam, adamw, clipByGlobalNorm, lars, type Optimizer, schedule, sgd } from './index.ts';

// A small linear regression y ≈ xW + b with real gradients from autodiff; the reference below
// recomputes the same gradients and applies each optimizer's formulas in float64.
const BATCH = 8;
const IN = 3;
const OUT = 2;
const STEPS = 6;

interface Problem {
  w0: Float64Array;
  b0: Float64Array;
  batches: { x: Float64Array; y: Float64Array }[];
}

function problem(seed: number): Problem {
  const rand = mulberry32(seed);
  const u = (n: number) => Float64Array.from({ length: n }, () => rand() * 2 - 1);
  return {
    w0: u(IN * OUT),
    b0: u(OUT),
    batches: Array.from({ length: STEPS }, () => ({ x: u(BATCH * IN), y: u(BATCH * OUT) })),
  };
}

function referenceGrads(w: Float64Array, b: Float64Array, x: Float64Array, y: Float64Array) {
  const gw = new Float64Array(IN * OUT);
  const gb = new Float64Array(OUT);
  for (let n = 0; n < BATCH; n++) {
    for (let o = 0; o < OUT; o++) {
      let r = b[o] - y[n * OUT + o];
      for (let i = 0; i < IN; i++) r += x[n * IN + i] * w[i * OUT + o];
      for (let i = 0; i < IN; i++) gw[i * OUT + o] += (x[n * IN + i] * r) / BATCH;
      gb[o] += r / BATCH;
    }
  }
  return [gw, gb];
}

/** One reference update of parameter k (k = 0 is the matrix W, k = 1 the bias) at update t (1-based). */
type ReferenceUpdate = (
  p: Float64Array,
  g: Float64Array,
  state: Float64Array[],
  lr: number,
  t: number,
  k: number,
) => void;

async function compare(
  optimizer: Optimizer,
  reference: ReferenceUpdate,
  slots: number,
  {
    dtype = 'float64' as DType,
    lr = (_t: number) => 0.05 as number,
    sched = schedule.constant(0.05),
    clipNorm = 0,
  } = {},
) {
  const data = problem(3);
  const cast = (a: Float64Array) => (dtype === 'float64' ? Float64Array.from(a) : Float32Array.from(a));
  const program = compileTrainStep({
    build: (g) => {
      const x = g.input('x', [BATCH, IN], dtype);
      const y = g.input('y', [BATCH, OUT], dtype);
      const w = g.parameter('w', [IN, OUT], { values: cast(data.w0) });
      const b = g.parameter('b', [OUT], { values: cast(data.b0) });
      const r = op.sub(op.add(op.matmul(x, w), b), y);
      return { loss: op.mul(op.meanAll(op.mul(r, r)), OUT / 2) };
    },
    optimizer,
    schedule: sched,
    ...(clipNorm ? { clipNorm } : {}),
  });
  const loop = await runProgram(program);
  const params = [Float64Array.from(data.w0), Float64Array.from(data.b0)];
  const state = params.map((p) => Array.from({ length: slots }, () => new Float64Array(p.length)));
  for (let s = 0; s < STEPS; s++) {
    const { x, y } = data.batches[s];
    const result = await loop.step({
      x: new ort.Tensor(dtype, cast(x), [BATCH, IN]),
      y: new ort.Tensor(dtype, cast(y), [BATCH, OUT]),
    });
    assert.ok(Math.abs(result.scalars.lr - lr(s)) < 1e-6 * lr(s) + 1e-12, `lr at ${s}: ${result.scalars.lr}`);
    let grads = referenceGrads(params[0], params[1], x, y);
    if (clipNorm) {
      const total = Math.hypot(...grads.flatMap((gr) => [...gr]));
      assert.ok(Math.abs(result.scalars.grad_norm - total) < 1e-9, 'grad_norm');
      const factor = Math.min(1, clipNorm / total);
      grads = grads.map((gr) => gr.map((v) => v * factor));
    }
    params.forEach((p, k) => {
      reference(p, grads[k], state[k], lr(s), s + 1, k);
    });
  }
  const tolerance = dtype === 'float64' ? 1e-12 : 1e-6;
  ['w', 'b'].forEach((name, k) => {
    const got = loop.values.get(name)!.data as Float64Array;
    params[k].forEach((v, i) => {
      assert.ok(
        Math.abs(got[i] - v) <= tolerance * Math.max(1, Math.abs(v)),
        `${optimizer.name} ${name}[${i}]: ${got[i]} vs ${v}`,
      );
    });
  });
  assert.equal(Number(loop.values.get('state/step')!.data[0]), STEPS);
  await loop.release();
}

const adamReference =
  (beta1: number, beta2: number, eps: number, decay: number, decoupled: boolean): ReferenceUpdate =>
  (p, g, [m, v], lr, t, k) => {
    const decays = decay !== 0 && (!decoupled || k === 0);
    for (let i = 0; i < p.length; i++) {
      const gi = decays && !decoupled ? g[i] + decay * p[i] : g[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      const mHat = m[i] / (1 - beta1 ** t);
      const vHat = v[i] / (1 - beta2 ** t);
      if (decays && decoupled) p[i] *= 1 - lr * decay;
      p[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  };

test('Adam with a warmup-cosine schedule matches the reference in float64 and float32', async () => {
  const sched = schedule.warmupCosineDecay({ peak: 0.1, warmupSteps: 2, totalSteps: 5, end: 0.01 });
  const lr = (t: number) =>
    t < 2 ? (0.1 * (t + 1)) / 2 : 0.01 + 0.045 * (1 + Math.cos(Math.PI * Math.min(1, (t - 2) / 3)));
  const options = { beta1: 0.8, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
  await compare(adam(options), adamReference(0.8, 0.95, 1e-8, 0.1, false), 2, { sched, lr });
  await compare(adam(options), adamReference(0.8, 0.95, 1e-8, 0.1, false), 2, {
    sched,
    lr,
    dtype: 'float32',
  });
});

test('AdamW decays matrices only, decoupled from the moments', async () => {
  const options = { beta1: 0.9, beta2: 0.99, eps: 1e-6, weightDecay: 0.5 };
  await compare(adamw(options), adamReference(0.9, 0.99, 1e-6, 0.5, true), 2);
  await compare(adamw(options), adamReference(0.9, 0.99, 1e-6, 0.5, true), 2, { dtype: 'float32' });
});

const sgdReference =
  (momentum: number, nesterov: boolean, decay: number): ReferenceUpdate =>
  (p, g, [buffer], lr) => {
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + decay * p[i];
      buffer[i] = momentum * buffer[i] + gi;
      p[i] -= lr * (nesterov ? gi + momentum * buffer[i] : buffer[i]);
    }
  };

test('SGD with momentum and Nesterov momentum, with global-norm clipping', async () => {
  await compare(sgd({ momentum: 0.9 }), sgdReference(0.9, false, 0), 1);
  await compare(sgd({ momentum: 0.9, nesterov: true, weightDecay: 0.01 }), sgdReference(0.9, true, 0.01), 1);
  // a threshold under the gradient norm, so every step is clipped
  await compare(sgd({ momentum: 0.5 }), sgdReference(0.5, false, 0), 1, { clipNorm: 0.1 });
});

test('LARS: trust ratio and weight decay on matrices, plain momentum on biases', async () => {
  const eta = 0.01;
  const decay = 1e-3;
  const momentum = 0.9;
  const reference: ReferenceUpdate = (p, g, [velocity], lr, _t, k) => {
    let rate = lr;
    let grad = g;
    if (k === 0) {
      grad = g.map((v, i) => v + decay * p[i]);
      rate = (lr * eta * Math.hypot(...p)) / Math.hypot(...grad);
    }
    for (let i = 0; i < p.length; i++) {
      velocity[i] = momentum * velocity[i] + rate * grad[i];
      p[i] -= velocity[i];
    }
  };
  const lr = (t: number) => 0.5 * Math.max(0, 1 - t / 6);
  const sched = schedule.warmupLinearDecay({ peak: 0.5, warmupSteps: 0, totalSteps: 6 });
  await compare(lars({ momentum, weightDecay: decay, trustCoefficient: eta }), reference, 1, { lr, sched });
});

test('learning-rate schedules follow their formulas', async () => {
  const g = new Graph('schedules');
  const t = g.input('t', [], 'float64');
  const linear = { peak: 2, warmupSteps: 4, totalSteps: 10, end: 0.5 };
  g.output('constant', schedule.constant(0.3)(g, t));
  g.output('linear', schedule.warmupLinearDecay(linear)(g, t));
  g.output('cosine', schedule.warmupCosineDecay(linear)(g, t));
  g.output('cosineNoWarmup', schedule.warmupCosineDecay({ peak: 1, warmupSteps: 0, totalSteps: 8 })(g, t));
  const session = await ort.InferenceSession.create(g.toModel());
  const expected = (s: number) => {
    const progress = Math.min(1, Math.max(0, (s - 4) / 6));
    return {
      constant: 0.3,
      linear: s < 4 ? (2 * (s + 1)) / 4 : 0.5 + 1.5 * (1 - progress),
      cosine: s < 4 ? (2 * (s + 1)) / 4 : 0.5 + 0.75 * (1 + Math.cos(Math.PI * progress)),
      cosineNoWarmup: 0.5 * (1 + Math.cos(Math.PI * Math.min(1, s / 8))),
    };
  };
  for (const s of [0, 1, 3, 4, 5, 7, 9, 10, 25]) {
    const out = await session.run({ t: new ort.Tensor('float64', Float64Array.from([s]), []) });
    for (const [name, value] of Object.entries(expected(s))) {
      assert.ok(
        Math.abs(Number(out[name].data[0]) - value) < 1e-12,
        `${name} at ${s}: ${out[name].data[0]} vs ${value}`,
      );
    }
  }
  await session.release();
});

test('global-norm clipping scales every gradient by one factor, only above the threshold', async () => {
  const rand = mulberry32(11);
  const a = Float64Array.from({ length: 6 }, () => rand() * 2 - 1);
  const b = Float64Array.from({ length: 3 }, () => rand() * 2 - 1);
  const total = Math.hypot(...a, ...b);
  for (const maxNorm of [total / 3, total * 2]) {
    const g = new Graph('clip');
    const ga = g.input('a', [2, 3], 'float64');
    const gb = g.input('b', [3], 'float64');
    const clipped = clipByGlobalNorm([ga, gb], maxNorm);
    g.output('a2', clipped.grads[0]);
    g.output('b2', clipped.grads[1]);
    g.output('norm', clipped.norm);
    const session = await ort.InferenceSession.create(g.toModel());
    const out = await session.run({
      a: new ort.Tensor('float64', a, [2, 3]),
      b: new ort.Tensor('float64', b, [3]),
    });
    const factor = Math.min(1, maxNorm / total);
    assert.ok(Math.abs(Number(out.norm.data[0]) - total) < 1e-14);
    [...a, ...b].forEach((v, i) => {
      const got = i < 6 ? out.a2.data[i] : out.b2.data[i - 6];
      assert.ok(Math.abs(Number(got) - v * factor) < 1e-15, `element ${i}`);
    });
    await session.release();
  }
});
