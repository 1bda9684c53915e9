// Hand-built Programs for the runtime's tests: a two-layer MLP regressing a fixed nonlinear
// target, trained by SGD with momentum written directly with ops (the velocity is optimizer
// state), plus its eval Program and an inference model with baked parameters. They follow the
// Program contract exactly as the train-step compiler does, so the runtime is tested against the
// contract rather than against one compiler's output.
import { grad } from '../../autodiff.ts';
import type { HostArray } from '../../dtype.ts';
import { Graph, type Tensor } from '../../graph.ts';
import * as op from '../../ops/index.ts';
import type { Program, ProgramParameter, ProgramState } from '../../program.ts';
import { mulberry32 } from '../../testing/random.ts';

export interface RegressionSizes {
  batch: number;
  inputs: number;
  hidden: number;
  outputs: number;
}

export interface RegressionPrograms {
  sizes: RegressionSizes;
  train: Program;
  eval: Program;
  /** a standalone model x -> prediction with the given parameter values baked in */
  inference(parameters: Record<string, Float32Array | Float64Array>): Uint8Array;
  /** deterministic batches: x uniform in [-1, 1), y = sin(x A) for a fixed A */
  batch(index: number): Record<string, HostArray>;
}

export function regressionPrograms(
  sizes: RegressionSizes = { batch: 16, inputs: 8, hidden: 16, outputs: 2 },
  { lr = 0.05, momentum = 0.9, seed = 7 } = {},
): RegressionPrograms {
  const { batch, inputs, hidden, outputs } = sizes;
  const rand = mulberry32(seed);
  const uniform = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const init: Record<string, { shape: number[]; values: Float32Array }> = {
    'mlp/layer0/weight': { shape: [inputs, hidden], values: uniform(inputs * hidden, 1 / Math.sqrt(inputs)) },
    'mlp/layer0/bias': { shape: [hidden], values: new Float32Array(hidden) },
    'mlp/layer1/weight': {
      shape: [hidden, outputs],
      values: uniform(hidden * outputs, 1 / Math.sqrt(hidden)),
    },
    'mlp/layer1/bias': { shape: [outputs], values: new Float32Array(outputs) },
  };
  const target = uniform(inputs * outputs, 1.5);

  const declare = (g: Graph) =>
    Object.fromEntries(
      Object.entries(init).map(([name, p]) => [name, g.parameter(name, p.shape, { values: p.values })]),
    );
  const forward = (g: Graph, x: Tensor, p: Record<string, Tensor>) =>
    g.scope('mlp', () => {
      const h = g.scope('layer0', () =>
        op.tanh(op.add(op.matmul(x, p['mlp/layer0/weight']), p['mlp/layer0/bias'])),
      );
      return g.scope('layer1', () => op.add(op.matmul(h, p['mlp/layer1/weight']), p['mlp/layer1/bias']));
    });
  const losses = (g: Graph, prediction: Tensor, y: Tensor) =>
    g.scope('loss', () => {
      const d = op.sub(prediction, y);
      return { loss: op.meanAll(op.mul(d, d)), mae: op.meanAll(op.abs(d)) };
    });
  const batchSpecs = [
    { name: 'x', shape: [batch, inputs], dtype: 'float32' as const },
    { name: 'y', shape: [batch, outputs], dtype: 'float32' as const },
  ];

  const train = (() => {
    const g = new Graph('mlp-train');
    const x = g.input('x', [batch, inputs]);
    const y = g.input('y', [batch, outputs]);
    const p = declare(g);
    const { loss, mae } = losses(g, forward(g, x, p), y);
    const names = Object.keys(p);
    const grads = grad(
      loss,
      names.map((n) => p[n]),
    );
    const parameters: ProgramParameter[] = [];
    const state: ProgramState[] = [];
    g.scope('sgd', () => {
      names.forEach((name, i) => {
        const velocity = g.input(`${name}.velocity`, p[name].shape);
        const nextVelocity = op.add(op.mul(velocity, momentum), grads[i]);
        g.output(`${name}.next`, op.sub(p[name], op.mul(nextVelocity, lr)));
        g.output(`${name}.velocity.next`, nextVelocity);
        parameters.push({
          name,
          shape: p[name].shape,
          dtype: 'float32',
          init: init[name].values,
          trainable: true,
          updatedBy: `${name}.next`,
        });
        state.push({
          name: `${name}.velocity`,
          shape: p[name].shape,
          dtype: 'float32',
          init: new Float32Array(p[name].size),
          updatedBy: `${name}.velocity.next`,
        });
      });
    });
    g.output('loss', loss);
    g.output('mae', mae);
    return {
      kind: 'train',
      model: g.toModel(),
      batch: batchSpecs,
      parameters,
      state,
      scalars: ['loss', 'mae'],
      outputs: [],
    } satisfies Program;
  })();

  const evaluation = (() => {
    const g = new Graph('mlp-eval');
    const x = g.input('x', [batch, inputs]);
    const y = g.input('y', [batch, outputs]);
    const p = declare(g);
    const prediction = forward(g, x, p);
    g.output('loss', losses(g, prediction, y).loss);
    g.output('prediction', prediction);
    return {
      kind: 'eval',
      model: g.toModel(),
      batch: batchSpecs,
      parameters: train.parameters.map(({ updatedBy: _, ...rest }) => rest),
      state: [],
      scalars: ['loss'],
      outputs: [{ name: 'prediction', shape: [batch, outputs], dtype: 'float32' }],
    } satisfies Program;
  })();

  return {
    sizes,
    train,
    eval: evaluation,
    inference(values) {
      const g = new Graph('mlp-inference');
      const x = g.input('x', [batch, inputs]);
      g.output('prediction', forward(g, x, declare(g)));
      return g.toModel({ parameters: 'initializers', parameterValues: new Map(Object.entries(values)) });
    },
    batch(index) {
      const r = mulberry32(1000 + index);
      const x = Float32Array.from({ length: batch * inputs }, () => r() * 2 - 1);
      const y = new Float32Array(batch * outputs);
      for (let b = 0; b < batch; b++) {
        for (let o = 0; o < outputs; o++) {
          let s = 0;
          for (let i = 0; i < inputs; i++) s += x[b * inputs + i] * target[i * outputs + o];
          y[b * outputs + o] = Math.sin(s);
        }
      }
      return { x, y };
    },
  };
}
