import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph, type Tensor } from '../../onnx/graph.ts';
import * as op from '../../onnx/ops/index.ts';
import { evaluate, maxRelativeError } from '../../onnx/ops/testing.ts';
import { gradCheck } from '../../onnx/testing/gradcheck.ts';
import { mulberry32 } from '../../onnx/testing/random.ts';
import {
  type EncoderConfig,
  encoderWeights,
  feedForward,
  residual,
  selfAttention,
  type TensorSource,
  transformerEncoder,
} from '../transformer/index.ts';
import {
  dividedEncoderWeights,
  dividedSpaceTimeEncoder,
  factorisedDotProductAttention,
  factorisedDotProductEncoder,
  type MvitConfig,
  mvitEncoder,
  mvitPlan,
  mvitWeights,
  poolTokens,
  type TokenGrid,
} from './attention-variants.ts';

const tiny = (overrides: Partial<EncoderConfig> = {}): EncoderConfig => ({
  layers: 1,
  hidden: 8,
  heads: 2,
  ffn: 16,
  norm: 'pre',
  gelu: 'tanh',
  layerNormEps: 1e-5,
  // wide weights: attention far from uniform, so a wrong mask or grouping shows
  init: { kind: 'bert', std: 0.5 },
  ...overrides,
});

interface Declared {
  name: string;
  shape: number[];
  values: Float64Array;
}

/** Declares weights through `declare` and returns their names, shapes and initial values in order. */
function declared(declare: (source: TensorSource) => unknown): Declared[] {
  const list: Declared[] = [];
  const g = new Graph('declare');
  declare((name, shape, values) => {
    list.push({ name, shape, values: Float64Array.from(values) });
    return g.input(name, shape, 'float64');
  });
  return list;
}

/** A source handing out the given tensors in declaration order. */
function fromTensors(tensors: readonly Tensor[]): TensorSource {
  let k = 0;
  return () => tensors[k++];
}

/** A source of float64 constants: the declared values, biases and norms jittered so none is trivial. */
function constants(g: Graph, seed: number): TensorSource {
  const rand = mulberry32(seed);
  return (name, shape, values) =>
    g.constant(
      Float64Array.from(values, (v) => v + 0.2 * (rand() * 2 - 1)),
      shape,
      'float64',
      name.replaceAll('/', '_'),
    );
}

const randomValues = (n: number, seed: number) => {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => rand() * 2 - 1);
};

/** keep[i][j]: token i may attend to token j, as a bool constant [1, 1, L, L]. */
function keepMask(g: Graph, length: number, keep: (i: number, j: number) => boolean): Tensor {
  const values = Array.from({ length: length * length }, (_, k) =>
    keep(Math.floor(k / length), k % length) ? 1 : 0,
  );
  return g.constant(values, [1, 1, length, length], 'bool', 'keep');
}

const grid = (frames: number, height: number, width: number): TokenGrid => ({ frames, height, width });

test('divided space-time attention equals full attention under a same-position then a same-frame mask, in either order', async () => {
  const config = tiny();
  const [batch, frames, patches] = [2, 3, 4];
  const length = frames * patches;
  for (const order of ['time-space', 'space-time'] as const) {
    const r = await evaluate(
      (g, [x]) => {
        const weights = dividedEncoderWeights(constants(g, 5), config, 1, { dtype: 'float64' });
        const got = dividedSpaceTimeEncoder(x, weights, config, { grid: grid(frames, 2, 2), order }).hidden;
        // the reference: one sequence of all tokens, attention restricted by masks
        const w = weights.layers[0];
        const frame = (i: number) => Math.floor(i / patches);
        const site = (i: number) => i % patches;
        const bias = (keep: (i: number, j: number) => boolean) =>
          op.attentionBias(keepMask(g, length, keep), 'float64');
        const timeBias = bias((i, j) => site(i) === site(j));
        const spaceBias = bias((i, j) => frame(i) === frame(j));
        const shape = { batch, length };
        let h = op.reshape(x, [batch * length, config.hidden]);
        const time = (rows: Tensor) =>
          residual(
            g,
            'ref_time',
            rows,
            (n) => selfAttention(n, w.temporal, config, shape, timeBias, undefined).output,
            w.temporal.norm,
            config,
            undefined,
          );
        const space = (rows: Tensor) =>
          residual(
            g,
            'ref_space',
            rows,
            (n) => selfAttention(n, w, config, shape, spaceBias, undefined).output,
            w.attnNorm,
            config,
            undefined,
          );
        h = order === 'time-space' ? space(time(h)) : time(space(h));
        h = residual(g, 'ref_ffn', h, (n) => feedForward(n, w, config), w.ffnNorm, config, undefined);
        const { gamma, beta } = weights.finalNorm!;
        const expected = op.reshape(op.layerNorm(h, gamma, beta, config.layerNormEps), [
          batch,
          length,
          config.hidden,
        ]);
        return { got, expected };
      },
      [
        {
          shape: [batch, length, config.hidden],
          values: randomValues(batch * length * config.hidden, 2),
          dtype: 'float64',
        },
      ],
    );
    assert.ok(
      maxRelativeError(r.got, r.expected) < 1e-9,
      `${order}: off by ${maxRelativeError(r.got, r.expected)}`,
    );
  }
});

test('divided attention whose temporal attention outputs zero is the image encoder frame by frame; T = 1 with [CLS] is the image encoder', async () => {
  const config = tiny({ layers: 2 });
  const d = config.hidden;
  const cases = [
    { frames: 3, cls: false },
    { frames: 1, cls: true },
  ];
  for (const { frames, cls } of cases) {
    const patches = 4;
    const batch = 2;
    const length = frames * patches + (cls ? 1 : 0);
    const r = await evaluate(
      (g, [x]) => {
        const source = constants(g, 9);
        const weights = dividedEncoderWeights(source, config, 1, { dtype: 'float64' });
        const zeroed = {
          ...weights,
          layers: weights.layers.map((w, i) => ({
            ...w,
            temporal: {
              ...w.temporal,
              wo: g.constant(new Float64Array(d * d), [d, d], 'float64', `zero_wo${i}`),
              bo: g.constant(new Float64Array(d), [d], 'float64', `zero_bo${i}`),
            },
          })),
        };
        const got = dividedSpaceTimeEncoder(x, zeroed, config, { grid: grid(frames, 2, 2), cls }).hidden;
        // the image encoder on each frame's tokens (the same spatial weights)
        const perFrame = cls ? x : op.reshape(x, [batch * frames, patches, d]);
        const expected = transformerEncoder(perFrame, weights, config).hidden;
        return { got, expected: op.reshape(expected, [batch, length, d]) };
      },
      [{ shape: [batch, length, d], values: randomValues(batch * length * d, 4), dtype: 'float64' }],
    );
    assert.ok(
      maxRelativeError(r.got, r.expected) < 1e-9,
      `T=${frames} cls=${cls}: off by ${maxRelativeError(r.got, r.expected)}`,
    );
  }
});

test('divided attention keeps [CLS] out of the temporal attention', async () => {
  // With temporal attention only (spatial and MLP zeroed), [CLS] must come out as it went in
  // (plus the final norm), and patch tokens must not depend on [CLS].
  const config = tiny();
  const d = config.hidden;
  const [batch, frames, patches] = [1, 2, 4];
  const length = 1 + frames * patches;
  const x = randomValues(batch * length * d, 6);
  const changed = [...x];
  for (let c = 0; c < d; c++) changed[c] += 1;
  const run = (values: number[]) =>
    evaluate(
      (g, [input]) => {
        const weights = dividedEncoderWeights(constants(g, 3), config, 1, { dtype: 'float64' });
        const zero = (name: string, shape: number[]) =>
          g.constant(new Float64Array(shape.reduce((a, b) => a * b, 1)), shape, 'float64', name);
        const w = weights.layers[0];
        const temporalOnly = {
          layers: [
            {
              ...w,
              wo: zero('z_wo', [d, d]),
              bo: zero('z_bo', [d]),
              w2: zero('z_w2', [config.ffn, d]),
              b2: zero('z_b2', [d]),
            },
          ],
        };
        return {
          y: dividedSpaceTimeEncoder(input, temporalOnly, config, { grid: grid(frames, 2, 2), cls: true })
            .hidden,
        };
      },
      [{ shape: [batch, length, d], values, dtype: 'float64' }],
    );
  const [a, b] = [await run(x), await run(changed)];
  assert.ok(
    maxRelativeError(a.y.slice(0, d), x.slice(0, d)) < 1e-12,
    '[CLS] passed through the temporal attention',
  );
  assert.ok(
    maxRelativeError(a.y.slice(d), b.y.slice(d)) < 1e-12,
    'patch tokens read [CLS] in the temporal attention',
  );
});

test('divided attention with [CLS] averages its per-frame spatial updates: identical frames give the image encoder', async () => {
  const config = tiny();
  const d = config.hidden;
  const [batch, patches] = [2, 4];
  const frame = randomValues(batch * (1 + patches) * d, 21);
  // [CLS] then the same frame twice, per clip
  const clip: number[] = [];
  for (let b = 0; b < batch; b++) {
    const rows = frame.slice(b * (1 + patches) * d, (b + 1) * (1 + patches) * d);
    clip.push(...rows, ...rows.slice(d));
  }
  const r = await evaluate(
    (g, [x, single]) => {
      const weights = dividedEncoderWeights(constants(g, 9), config, 1, { dtype: 'float64' });
      const zeroed = {
        ...weights,
        layers: weights.layers.map((w) => ({
          ...w,
          temporal: {
            ...w.temporal,
            wo: g.constant(new Float64Array(d * d), [d, d], 'float64', 'zero_wo'),
            bo: g.constant(new Float64Array(d), [d], 'float64', 'zero_bo'),
          },
        })),
      };
      const got = dividedSpaceTimeEncoder(x, zeroed, config, { grid: grid(2, 2, 2), cls: true }).hidden;
      const image = transformerEncoder(single, weights, config).hidden;
      const [cls, rest] = op.split(image, 1, [1, patches]);
      return { got, expected: op.concat([cls, rest, rest], 1) };
    },
    [
      { shape: [batch, 1 + 2 * patches, d], values: clip, dtype: 'float64' },
      { shape: [batch, 1 + patches, d], values: frame, dtype: 'float64' },
    ],
  );
  assert.ok(maxRelativeError(r.got, r.expected) < 1e-9, `off by ${maxRelativeError(r.got, r.expected)}`);
});

test('factorised dot-product attention: space heads equal full attention under a same-frame mask, time heads under a same-position mask', async () => {
  const config = tiny({ heads: 4 });
  const d = config.hidden;
  const [batch, frames] = [2, 3];
  const g2 = grid(frames, 2, 2);
  const patches = 4;
  const length = frames * patches;
  const r = await evaluate(
    (g, [x]) => {
      const w = encoderWeights(constants(g, 8), config, 1, { dtype: 'float64' }).layers[0];
      const rows = op.reshape(x, [batch * length, d]);
      const got = factorisedDotProductAttention(rows, w, config.heads, { batch, grid: g2 });
      // reference: plain multi-head attention over all tokens with one mask per head
      const half = config.heads / 2;
      const keep = Array.from({ length: config.heads * length * length }, (_, k) => {
        const head = Math.floor(k / (length * length));
        const [i, j] = [Math.floor(k / length) % length, k % length];
        return head < half
          ? Math.floor(i / patches) === Math.floor(j / patches)
          : i % patches === j % patches;
      });
      const mask = g.constant(keep.map(Number), [1, config.heads, length, length], 'bool', 'per_head_keep');
      const expected = selfAttention(
        rows,
        w,
        config,
        { batch, length },
        op.attentionBias(mask, 'float64'),
        undefined,
      );
      return { got, expected: expected.output };
    },
    [{ shape: [batch, length, d], values: randomValues(batch * length * d, 12), dtype: 'float64' }],
  );
  assert.ok(maxRelativeError(r.got, r.expected) < 1e-9, `off by ${maxRelativeError(r.got, r.expected)}`);
});

test('pooled tokens: avg is the mean of stride windows, max takes MViT overlapping windows', async () => {
  const [t, h, w, c] = [2, 4, 4, 2];
  const x = randomValues(t * h * w * c, 13);
  const at = (ti: number, hi: number, wi: number, ci: number) => x[((ti * h + hi) * w + wi) * c + ci];
  const r = await evaluate(
    (_g, [input]) => ({
      avg: poolTokens(input, grid(t, h, w), [2, 2, 2], 'avg'),
      max: poolTokens(input, grid(t, h, w), [1, 2, 2], 'max'),
    }),
    [{ shape: [1, t * h * w, c], values: x }],
  );
  const avg: number[] = [];
  for (let hi = 0; hi < 2; hi++)
    for (let wi = 0; wi < 2; wi++)
      for (let ci = 0; ci < c; ci++) {
        let s = 0;
        for (let a = 0; a < 2; a++)
          for (let b = 0; b < 2; b++) for (let e = 0; e < 2; e++) s += at(a, 2 * hi + b, 2 * wi + e, ci);
        avg.push(s / 8);
      }
  assert.ok(maxRelativeError(r.avg, avg) < 1e-5);
  const max: number[] = [];
  for (let ti = 0; ti < t; ti++)
    for (let hi = 0; hi < 2; hi++)
      for (let wi = 0; wi < 2; wi++)
        for (let ci = 0; ci < c; ci++) {
          // kernel 3, stride 2, pad 1: rows 2hi-1 .. 2hi+1 inside the grid
          let m = -Infinity;
          for (let b = -1; b <= 1; b++)
            for (let e = -1; e <= 1; e++) {
              const [y, z] = [2 * hi + b, 2 * wi + e];
              if (y >= 0 && y < h && z >= 0 && z < w) m = Math.max(m, at(ti, y, z, ci));
            }
          max.push(m);
        }
  assert.ok(maxRelativeError(r.max, max) < 1e-6);
});

const mvit = (pool: MvitConfig['pool']): MvitConfig => ({
  stages: [
    { blocks: 1, hidden: 4, heads: 1, queryStride: [1, 1, 1], kvStride: [1, 2, 2] },
    { blocks: 2, hidden: 8, heads: 2, queryStride: [1, 2, 2], kvStride: [1, 1, 1] },
  ],
  mlpRatio: 2,
  pool,
  layerNormEps: 1e-5,
  gelu: 'tanh',
});

test('MViT: two stages double the channels and halve the grid; shapes for max and avg pooling', async () => {
  const input = grid(2, 4, 4);
  for (const pool of ['max', 'avg'] as const) {
    const config = mvit(pool);
    const plan = mvitPlan(config, input);
    assert.deepEqual(
      plan.map((p) => [p.dimIn, p.dimOut, p.gridOut.height]),
      [
        [4, 8, 4],
        [8, 8, 2],
        [8, 8, 2],
      ],
    );
    const batch = 2;
    const r = await evaluate(
      (g, [x]) => {
        const weights = mvitWeights(
          (name, shape, values) => g.constant(values, shape, 'float32', name),
          config,
          input,
          1,
        );
        const out = mvitEncoder(x, weights, config, { grid: input });
        assert.deepEqual(out.grid, grid(2, 2, 2));
        assert.deepEqual(out.hidden.shape, [batch, 8, 8]);
        return { y: out.hidden };
      },
      [{ shape: [batch, 32, 4], values: randomValues(batch * 32 * 4, 1) }],
    );
    assert.ok(r.y.every(Number.isFinite));
  }
  assert.throws(
    () =>
      mvitPlan(
        {
          ...mvit('avg'),
          stages: [{ blocks: 1, hidden: 4, heads: 1, queryStride: [1, 3, 3], kvStride: [1, 1, 1] }],
        },
        input,
      ),
    /does not divide/,
  );
});

test('MViT block gradients (input and every weight) match finite differences in float64 (avg pooling)', async () => {
  const config = mvit('avg');
  const input = grid(2, 4, 4);
  const weights = declared((source) => mvitWeights(source, config, input, 3, { dtype: 'float64' }));
  const r = await gradCheck(
    (_g, [x, ...w]) =>
      mvitEncoder(x, mvitWeights(fromTensors(w), config, input, 3, { dtype: 'float64' }), config, {
        grid: input,
      }).hidden,
    [
      { shape: [1, 32, 4] },
      ...weights.map((v) => ({ shape: v.shape, values: v.values.map((u, i) => u + 0.1 * Math.sin(i + 1)) })),
    ],
    { maxElements: 2 },
  );
  assert.ok(r.checked > 60, `checked ${r.checked}`);
  // Shifting every key by the same vector leaves the softmax unchanged, so the key norm's beta
  // has an exactly zero gradient, where the finite differences read ~4e-9 of rounding: 1e-5
  // rather than 1e-6 against the 1e-3 floor of the relative error.
  assert.ok(r.maxRelativeError < 1e-5, `relative error ${r.maxRelativeError} at ${JSON.stringify(r.worst)}`);
});

test('divided ([CLS]) and factorised encoders: gradients of input and every weight match finite differences in float64', async () => {
  const config = tiny({ hidden: 4, ffn: 8, heads: 2, init: { kind: 'bert', std: 0.4 } });
  const g2 = grid(2, 1, 2);
  const jittered = (list: Declared[]) =>
    list.map((v) => ({ shape: v.shape, values: v.values.map((u, i) => u + 0.1 * Math.sin(i + 1)) }));
  const divided = declared((source) => dividedEncoderWeights(source, config, 5, { dtype: 'float64' }));
  const r3 = await gradCheck(
    (g, [x, ...w]) => {
      const seed = g.constant([17], [], 'int64', 'seed');
      return dividedSpaceTimeEncoder(
        x,
        dividedEncoderWeights(fromTensors(w), config, 5, { dtype: 'float64' }),
        config,
        {
          grid: g2,
          cls: true,
          dropout: { hidden: 0.2, attention: 0.2, seed },
        },
      ).hidden;
    },
    [{ shape: [2, 5, 4] }, ...jittered(divided)],
    { maxElements: 4 },
  );
  assert.ok(
    r3.checked > 40 && r3.maxRelativeError < 1e-6,
    `divided: ${r3.maxRelativeError} at ${JSON.stringify(r3.worst)}`,
  );
  const plain = declared((source) => encoderWeights(source, config, 5, { dtype: 'float64' }));
  const r4 = await gradCheck(
    (_g, [x, ...w]) =>
      factorisedDotProductEncoder(
        x,
        encoderWeights(fromTensors(w), config, 5, { dtype: 'float64' }),
        config,
        { grid: g2 },
      ).hidden,
    [{ shape: [2, 4, 4] }, ...jittered(plain)],
    { maxElements: 4 },
  );
  assert.ok(
    r4.checked > 30 && r4.maxRelativeError < 1e-6,
    `factorised: ${r4.maxRelativeError} at ${JSON.stringify(r4.worst)}`,
  );
});

test('wrong token counts and odd head counts are refused with the expected shape', () => {
  const g = new Graph('bad');
  const config = tiny({ heads: 1 });
  const x = g.input('x', [1, 7, 8], 'float32');
  const weights = encoderWeights((n, s, v) => g.constant(v, s, 'float32', n), config, 1);
  assert.throws(
    () => factorisedDotProductEncoder(x, weights, config, { grid: grid(2, 2, 2) }),
    /\[batch, 8, 8\]/,
  );
  const y = g.input('y', [1, 8, 8], 'float32');
  assert.throws(
    () => factorisedDotProductEncoder(y, weights, config, { grid: grid(2, 2, 2) }),
    /do not split in half/,
  );
});
