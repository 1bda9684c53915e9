import assert from 'node:assert/strict';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { Graph, type Tensor } from '../../onnx/graph.ts';
import * as op from '../../onnx/ops/index.ts';
import { maxAbsDiff } from '../../onnx/testing/compare.ts';
import { gradCheck } from '../../onnx/testing/gradcheck.ts';
import { mulberry32 } from '../../onnx/testing/random.ts';
import { transformerEncoder } from './encoder.ts';
import {
  type EncoderConfig,
  encoderWeights,
  type NormPlacement,
  parametersOf,
  type TensorSource,
} from './weights.ts';

const tiny = (norm: NormPlacement, overrides: Partial<EncoderConfig> = {}): EncoderConfig => ({
  layers: 1,
  hidden: 8,
  heads: 2,
  ffn: 16,
  norm,
  gelu: 'tanh',
  layerNormEps: 1e-5,
  // wide enough weights that attention is far from uniform and GELU far from linear
  init: { kind: 'bert', std: 0.5 },
  ...overrides,
});

interface NamedValues {
  name: string;
  shape: number[];
  values: Float32Array | Float64Array;
}

/** The encoder's weights as plain arrays, in declaration order. */
function weightValues(config: EncoderConfig, seed: number, dtype: 'float32' | 'float64'): NamedValues[] {
  const list: NamedValues[] = [];
  const g = new Graph('declare');
  encoderWeights(
    (name, shape, values) => {
      list.push({ name, shape, values });
      return g.input(name, shape, dtype);
    },
    config,
    seed,
    { dtype },
  );
  return list;
}

/** A source that hands out the given tensors in declaration order. */
function fromTensors(tensors: Tensor[]): TensorSource {
  let k = 0;
  return () => tensors[k++];
}

// ---- a plain float64 reference of the encoder -------------------------------------------------

type Matrix = number[][];

function matmulJs(a: Matrix, w: ArrayLike<number>, cols: number, b?: ArrayLike<number>): Matrix {
  return a.map((row) =>
    Array.from({ length: cols }, (_, j) => row.reduce((s, v, k) => s + v * w[k * cols + j], b ? b[j] : 0)),
  );
}

function layerNormJs(rows: Matrix, gamma: ArrayLike<number>, beta: ArrayLike<number>, eps: number): Matrix {
  return rows.map((row) => {
    const mean = row.reduce((a, b) => a + b, 0) / row.length;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * gamma[i] + beta[i]);
  });
}

// onnxruntime's float64 Gelu (tanh) carries its constants in float32: ~1e-8 from this formula,
// which bounds the float64 comparisons below.
const FLOAT64_TOLERANCE = 1e-7;

const geluTanh = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** One sequence [T][d] through the encoder; returns the output and each layer's attention [heads][T][T]. */
function encoderJs(
  x: Matrix,
  keep: boolean[],
  causal: boolean,
  weights: NamedValues[],
  config: EncoderConfig,
): { y: Matrix; attention: number[][][][] } {
  const w = (suffix: string) => weights.find((v) => v.name.endsWith(suffix))!.values;
  const { hidden: d, heads, ffn, layerNormEps: eps } = config;
  const width = d / heads;
  const t = x.length;
  const attention: number[][][][] = [];
  let h = x;
  for (let l = 0; l < config.layers; l++) {
    const at = `layer${l}/`;
    const attend = (input: Matrix): Matrix => {
      const qkv = matmulJs(input, w(`${at}attn/wqkv`), 3 * d, w(`${at}attn/bqkv`));
      const merged: Matrix = Array.from({ length: t }, () => new Array<number>(d).fill(0));
      const maps: number[][][] = [];
      for (let head = 0; head < heads; head++) {
        const col = (kind: number, c: number) => kind * d + head * width + c;
        const map = qkv.map((qi, i) => {
          const scores = qkv.map((kj, j) => {
            if (!keep[j] || (causal && j > i)) return -1e9;
            let s = 0;
            for (let c = 0; c < width; c++) s += qi[col(0, c)] * kj[col(1, c)];
            return s / Math.sqrt(width);
          });
          const top = Math.max(...scores);
          const e = scores.map((s) => Math.exp(s - top));
          const z = e.reduce((a, b) => a + b, 0);
          return e.map((v) => v / z);
        });
        maps.push(map);
        for (let i = 0; i < t; i++) {
          for (let c = 0; c < width; c++) {
            merged[i][head * width + c] = map[i].reduce((s, p, j) => s + p * qkv[j][col(2, c)], 0);
          }
        }
      }
      attention.push(maps);
      return matmulJs(merged, w(`${at}attn/wo`), d, w(`${at}attn/bo`));
    };
    const feedForward = (input: Matrix): Matrix =>
      matmulJs(
        matmulJs(input, w(`${at}ffn/w1`), ffn, w(`${at}ffn/b1`)).map((r) => r.map(geluTanh)),
        w(`${at}ffn/w2`),
        d,
        w(`${at}ffn/b2`),
      );
    const sublayers: [string, (m: Matrix) => Matrix][] = [
      ['attn_norm', attend],
      ['ffn_norm', feedForward],
    ];
    for (const [norm, f] of sublayers) {
      const gamma = w(`${at}${norm}/gamma`);
      const beta = w(`${at}${norm}/beta`);
      if (config.norm === 'post') {
        const out = f(h);
        h = layerNormJs(
          h.map((row, i) => row.map((v, j) => v + out[i][j])),
          gamma,
          beta,
          eps,
        );
      } else {
        const out = f(layerNormJs(h, gamma, beta, eps));
        h = h.map((row, i) => row.map((v, j) => v + out[i][j]));
      }
    }
  }
  if (config.norm === 'pre') h = layerNormJs(h, w('encoder/norm/gamma'), w('encoder/norm/beta'), eps);
  return { y: h, attention };
}

// ---- running the graph --------------------------------------------------------------------------

interface Case {
  batch: number;
  length: number;
  x: Float64Array;
  keep: boolean[];
  causal?: boolean;
}

/** Runs the encoder with the weights fed as inputs; returns its output and layer-0 attention. */
async function runEncoder(
  config: EncoderConfig,
  weights: NamedValues[],
  c: Case,
  dtype: 'float32' | 'float64',
) {
  const g = new Graph('encoder-test');
  const x = g.input('x', [c.batch, c.length, config.hidden], dtype);
  const keep = g.input('keep', [c.batch, c.length], 'bool');
  const inputs = weights.map((v) => g.input(v.name, v.shape, dtype));
  const encoded = transformerEncoder(x, encoderWeightsFrom(config, inputs), config, {
    padding: keep,
    causal: c.causal,
  });
  g.output('y', encoded.hidden);
  g.output('attention', encoded.attentions[0]);
  const session = await ort.InferenceSession.create(g.toModel());
  const typed = (v: ArrayLike<number>) => (dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v));
  try {
    const out = await session.run({
      x: new ort.Tensor(dtype, typed(c.x), [c.batch, c.length, config.hidden]),
      keep: new ort.Tensor('bool', Uint8Array.from(c.keep, Number), [c.batch, c.length]),
      ...Object.fromEntries(weights.map((v) => [v.name, new ort.Tensor(dtype, typed(v.values), v.shape)])),
    });
    return {
      y: Array.from(out.y.data as Float64Array),
      attention: Array.from(out.attention.data as Float64Array),
    };
  } finally {
    await session.release();
  }
}

function encoderWeightsFrom(config: EncoderConfig, inputs: Tensor[]) {
  return encoderWeights(fromTensors(inputs), config, 0);
}

function randomCase(seed: number, batch: number, length: number, d: number, keep: boolean[]): Case {
  const rand = mulberry32(seed);
  return { batch, length, keep, x: Float64Array.from({ length: batch * length * d }, () => rand() * 2 - 1) };
}

function expectedOf(c: Case, weights: NamedValues[], config: EncoderConfig) {
  const d = config.hidden;
  const y: number[] = [];
  const attention: number[] = [];
  for (let b = 0; b < c.batch; b++) {
    const rows = Array.from({ length: c.length }, (_, t) =>
      Array.from(c.x.subarray((b * c.length + t) * d, (b * c.length + t + 1) * d)),
    );
    const r = encoderJs(
      rows,
      c.keep.slice(b * c.length, (b + 1) * c.length),
      c.causal ?? false,
      weights,
      config,
    );
    y.push(...r.y.flat());
    attention.push(...r.attention[0].flat(2));
  }
  return { y, attention };
}

for (const norm of ['post', 'pre'] as const) {
  test(`${norm}-norm encoder layer matches a plain float64 computation, padding masked`, async () => {
    const config = tiny(norm);
    // the second sequence is left-padded as BERT4Rec pads
    const keep = [true, true, true, true, true, false, false, true, true, true];
    const c = randomCase(5, 2, 5, config.hidden, keep);
    const expected = expectedOf(c, weightValues(config, 7, 'float64'), config);
    const exact = await runEncoder(config, weightValues(config, 7, 'float64'), c, 'float64');
    assert.ok(
      maxAbsDiff(exact.y, expected.y) < FLOAT64_TOLERANCE,
      `float64 output off by ${maxAbsDiff(exact.y, expected.y)}`,
    );
    assert.ok(maxAbsDiff(exact.attention, expected.attention) < FLOAT64_TOLERANCE, 'float64 attention maps');
    // float32 takes the fused kernels (LayerNormalization, FastGelu)
    const fused = await runEncoder(config, weightValues(config, 7, 'float32'), c, 'float32');
    assert.ok(
      maxAbsDiff(fused.y, expected.y) < 1e-4,
      `float32 output off by ${maxAbsDiff(fused.y, expected.y)}`,
    );
  });
}

test('two layers with a causal mask match the plain computation', async () => {
  const config = tiny('post', { layers: 2 });
  const c = { ...randomCase(8, 1, 4, config.hidden, [true, true, true, true]), causal: true };
  const weights = weightValues(config, 3, 'float64');
  const got = await runEncoder(config, weights, c, 'float64');
  const expected = expectedOf(c, weights, config);
  assert.ok(maxAbsDiff(got.y, expected.y) < FLOAT64_TOLERANCE, `off by ${maxAbsDiff(got.y, expected.y)}`);
  // position 0 sees only itself
  assert.ok(Math.abs(got.attention[0] - 1) < 1e-12);
});

for (const norm of ['post', 'pre'] as const) {
  test(`${norm}-norm layer gradients (input and every weight) match finite differences in float64, with dropout`, async () => {
    const config = tiny(norm, { hidden: 4, ffn: 8, init: { kind: 'bert', std: 0.4 } });
    const weights = weightValues(config, 11, 'float64');
    const [batch, length] = [2, 3];
    const rand = mulberry32(2);
    const r = await gradCheck(
      (g, [x, keepAsNumber, ...w]) => {
        const seed = g.constant([17], [], 'int64', 'seed');
        return transformerEncoder(x, encoderWeightsFrom(config, w), config, {
          padding: op.greater(keepAsNumber, g.scalar(0, 'float64')),
          dropout: { hidden: 0.3, attention: 0.3, seed },
        }).hidden;
      },
      [
        {
          shape: [batch, length, config.hidden],
          values: Float64Array.from({ length: 24 }, () => rand() * 2 - 1),
        },
        { shape: [batch, length], values: Float64Array.from([1, 1, 1, 0, 1, 1]), constant: true },
        ...weights.map((v) => ({ shape: v.shape, values: Float64Array.from(v.values) })),
      ],
      { maxElements: 12 },
    );
    assert.ok(r.checked > 100, `checked ${r.checked}`);
    assert.ok(
      r.maxRelativeError < 1e-6,
      `relative error ${r.maxRelativeError} at ${JSON.stringify(r.worst)}`,
    );
  });
}

test('padding positions do not change the outputs at real positions (parameters, float32 kernels)', async () => {
  const config: EncoderConfig = {
    ...tiny('post', { layers: 2, hidden: 16, ffn: 32 }),
    init: { kind: 'bert', std: 0.02 },
  };
  const [batch, length] = [2, 6];
  const keep = [false, false, true, true, true, true, true, true, true, true, true, false];
  const run = async (padValue: number) => {
    const g = new Graph('padding');
    const x = g.input('x', [batch, length, config.hidden]);
    const mask = g.input('keep', [batch, length], 'bool');
    const { hidden, attentions } = transformerEncoder(x, encoderWeights(parametersOf(g), config, 1), config, {
      padding: mask,
    });
    g.output('y', hidden);
    g.output('attention', attentions[1]);
    const session = await ort.InferenceSession.create(g.toModel({ parameters: 'initializers' }));
    const rand = mulberry32(4);
    const values = Float32Array.from({ length: batch * length * config.hidden }, (_, i) =>
      keep[Math.floor(i / config.hidden)] ? rand() : padValue,
    );
    const out = await session.run({
      x: new ort.Tensor('float32', values, [batch, length, config.hidden]),
      keep: new ort.Tensor('bool', Uint8Array.from(keep, Number), [batch, length]),
    });
    await session.release();
    return { y: out.y.data as Float32Array, attention: out.attention.data as Float32Array };
  };
  const a = await run(0);
  const b = await run(37);
  for (let i = 0; i < a.y.length; i++) {
    if (keep[Math.floor(i / config.hidden)])
      assert.equal(a.y[i], b.y[i], `element ${i} moved with the padding`);
  }
  assert.ok(
    a.y.some((v, i) => v !== b.y[i]),
    'padding rows themselves do change',
  );
  // no attention to padded keys: [B, heads, T, T], key index last
  for (let i = 0; i < a.attention.length; i++) {
    const key = i % length;
    const b0 = Math.floor(i / (config.heads * length * length));
    if (!keep[b0 * length + key])
      assert.ok(a.attention[i] < 1e-30, `attention ${a.attention[i]} to a padded key`);
  }
});

test('initialisation is seeded, per name, and follows the scheme', () => {
  const bert = tiny('post', { hidden: 64, ffn: 256, init: { kind: 'bert', std: 0.02 } });
  const a = weightValues(bert, 1, 'float32');
  const b = weightValues(bert, 1, 'float32');
  const c = weightValues(bert, 2, 'float32');
  assert.deepEqual(
    a.map((v) => v.name),
    [
      'encoder/layer0/attn/wqkv',
      'encoder/layer0/attn/bqkv',
      'encoder/layer0/attn/wo',
      'encoder/layer0/attn/bo',
      'encoder/layer0/attn_norm/gamma',
      'encoder/layer0/attn_norm/beta',
      'encoder/layer0/ffn/w1',
      'encoder/layer0/ffn/b1',
      'encoder/layer0/ffn/w2',
      'encoder/layer0/ffn/b2',
      'encoder/layer0/ffn_norm/gamma',
      'encoder/layer0/ffn_norm/beta',
    ],
  );
  assert.deepEqual(a[0].values, b[0].values);
  assert.notDeepEqual(a[0].values, c[0].values);
  const w1 = Array.from(a[6].values);
  const std = Math.sqrt(w1.reduce((s, v) => s + v * v, 0) / w1.length);
  // a normal truncated at 2 std has std 0.88 of the untruncated one
  assert.ok(Math.abs(std - 0.02 * 0.88) < 0.001, `std ${std}`);
  assert.ok(
    w1.every((v) => Math.abs(v) <= 0.04 + 1e-9),
    'truncated at two standard deviations',
  );
  assert.ok(a[1].values.every((v) => v === 0) && a[4].values.every((v) => v === 1));
  const vit = weightValues({ ...bert, norm: 'pre', init: { kind: 'vit' } }, 1, 'float32');
  const bound = Math.sqrt(6 / (64 + 64));
  assert.ok(
    vit[0].values.every((v) => Math.abs(v) <= bound) && vit[0].values.some((v) => Math.abs(v) > 0.9 * bound),
  );
  assert.equal(vit.at(-1)?.name, 'encoder/norm/beta');
});
