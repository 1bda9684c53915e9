import assert from 'node:assert/strict';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import type { DType, Shape } from './dtype.ts';
import { Graph, type Tensor } from './graph.ts';
import * as loss from './losses.ts';
import { gradCheck } from './testing/gradcheck.ts';
import { mulberry32 } from './testing/random.ts';

interface Input {
  shape: Shape;
  values: Float64Array;
  dtype?: DType;
  constant?: boolean;
}

const rand = mulberry32(7);
const uniform = (n: number, scale = 1) => Float64Array.from({ length: n }, () => (rand() * 2 - 1) * scale);

/** The loss value computed by onnxruntime in float64. */
async function forward(build: (xs: Tensor[]) => Tensor, inputs: readonly Input[]): Promise<number> {
  const g = new Graph('forward');
  const xs = inputs.map((s, i) => g.input(`x${i}`, s.shape, s.dtype ?? 'float64'));
  g.output('y', build(xs));
  const session = await ort.InferenceSession.create(g.toModel());
  const feeds = Object.fromEntries(
    inputs.map((s, i) => {
      const data = s.dtype === 'int64' ? BigInt64Array.from(s.values, (v) => BigInt(v)) : s.values;
      return [`x${i}`, new ort.Tensor(s.dtype ?? 'float64', data, [...s.shape])];
    }),
  );
  const y = Number((await session.run(feeds)).y.data[0]);
  await session.release();
  return y;
}

/** Forward value against a plain-JS reference, then analytic against numeric gradients. */
async function check(
  name: string,
  build: (xs: Tensor[]) => Tensor,
  inputs: readonly Input[],
  reference: number,
  { tolerance = 1e-6 } = {},
) {
  const value = await forward(build, inputs);
  assert.ok(
    Math.abs(value - reference) <= 1e-10 * Math.max(1, Math.abs(reference)),
    `${name}: forward ${value}, reference ${reference}`,
  );
  assert.ok(Number.isFinite(value), `${name}: loss ${value}`);
  const r = await gradCheck((_g, xs) => build(xs), inputs);
  assert.ok(r.checked > 0, `${name}: nothing checked`);
  assert.ok(
    r.maxRelativeError < tolerance,
    `${name}: relative error ${r.maxRelativeError} at ${JSON.stringify(r.worst)}`,
  );
}

function rows(values: Float64Array, width: number): number[][] {
  return Array.from({ length: values.length / width }, (_, i) => [
    ...values.subarray(i * width, (i + 1) * width),
  ]);
}

function logSoftmaxJs(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
  return row.map((x) => x - lse);
}

const logSigmoidJs = (x: number) => -Math.log1p(Math.exp(-x));

test('softmax cross-entropy with ignore-index and label smoothing', async () => {
  const classes = 5;
  const logits = uniform(6 * classes, 3);
  const targets = Float64Array.from([0, 4, -100, 2, -100, 1]);
  const reference = (smoothing: number) => {
    let total = 0;
    let counted = 0;
    rows(logits, classes).forEach((row, i) => {
      if (targets[i] === -100) return;
      const logp = logSoftmaxJs(row);
      const nll = -logp[targets[i]];
      const uniformTerm = -logp.reduce((s, x) => s + x, 0) / classes;
      total += (1 - smoothing) * nll + smoothing * uniformTerm;
      counted++;
    });
    return total / counted;
  };
  const inputs: Input[] = [
    { shape: [6, classes], values: logits },
    { shape: [6], values: targets, dtype: 'int64', constant: true },
  ];
  await check(
    'plain',
    ([x, t]) => loss.softmaxCrossEntropy(x, t, { ignoreIndex: -100 }),
    inputs,
    reference(0),
  );
  await check(
    'smoothed',
    ([x, t]) => loss.softmaxCrossEntropy(x, t, { ignoreIndex: -100, labelSmoothing: 0.1 }),
    inputs,
    reference(0.1),
  );
  // a rank-3 batch without ignore-index: the mean is over every position
  const seq = uniform(2 * 3 * classes, 2);
  const seqTargets = Float64Array.from([1, 0, 3, 4, 2, 2]);
  const seqReference =
    rows(seq, classes).reduce((s, row, i) => s - logSoftmaxJs(row)[seqTargets[i]], 0) / seqTargets.length;
  await check(
    'rank 3',
    ([x, t]) => loss.softmaxCrossEntropy(x, t),
    [
      { shape: [2, 3, classes], values: seq },
      { shape: [2, 3], values: seqTargets, dtype: 'int64', constant: true },
    ],
    seqReference,
  );
});

test('softmax cross-entropy with every position ignored is 0, not NaN, with a zero gradient', async () => {
  const inputs: Input[] = [
    { shape: [3, 4], values: uniform(12) },
    { shape: [3], values: Float64Array.from([-1, -1, -1]), dtype: 'int64', constant: true },
  ];
  const build = ([x, t]: Tensor[]) => loss.softmaxCrossEntropy(x, t, { ignoreIndex: -1 });
  assert.equal(await forward(build, inputs), 0);
  const r = await gradCheck((_g, xs) => build(xs), inputs);
  assert.ok(r.worst && r.worst.analytic === 0 && r.maxRelativeError === 0, JSON.stringify(r.worst));
});

test('sampled softmax with log-Q correction and accidental hits', async () => {
  const n = 4;
  const k = 3;
  const trueLogits = uniform(n, 2);
  const sampledLogits = uniform(n * k, 2);
  const trueLogQ = Float64Array.from({ length: n }, () => Math.log(0.05 + rand() * 0.2));
  const sampledLogQ = Float64Array.from({ length: k }, () => Math.log(0.05 + rand() * 0.2));
  const targets = Float64Array.from([7, 2, 9, 2]);
  const sampled = Float64Array.from([2, 5, 8]);
  const reference = (corrected: boolean, hits: boolean) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const row = [trueLogits[i] - (corrected ? trueLogQ[i] : 0)];
      for (let j = 0; j < k; j++) {
        if (hits && sampled[j] === targets[i]) continue;
        row.push(sampledLogits[i * k + j] - (corrected ? sampledLogQ[j] : 0));
      }
      total -= logSoftmaxJs(row)[0];
    }
    return total / n;
  };
  const base: Input[] = [
    { shape: [n], values: trueLogits },
    { shape: [n, k], values: sampledLogits },
  ];
  await check(
    'uncorrected',
    ([t, s]) => loss.sampledSoftmaxCrossEntropy(t, s),
    base,
    reference(false, false),
  );
  await check(
    'log-Q and accidental hits',
    ([t, s, qt, qs, ids, negIds]) =>
      loss.sampledSoftmaxCrossEntropy(t, s, {
        trueLogQ: qt,
        sampledLogQ: qs,
        accidentalHits: { targets: ids, sampled: negIds },
      }),
    [
      ...base,
      { shape: [n], values: trueLogQ, constant: true },
      { shape: [k], values: sampledLogQ, constant: true },
      { shape: [n], values: targets, dtype: 'int64', constant: true },
      { shape: [k], values: sampled, dtype: 'int64', constant: true },
    ],
    reference(true, true),
  );
});

test('binary cross-entropy with logits, including x = 0 and large |x|', async () => {
  const logits = Float64Array.from([0, 0, 2.5, -3, 40, -40, 0.3, -0.7]);
  const labels = Float64Array.from([1, 0, 1, 0, 0, 1, 0.25, 1]);
  const reference =
    [...logits].reduce((s, x, i) => s - labels[i] * logSigmoidJs(x) - (1 - labels[i]) * logSigmoidJs(-x), 0) /
    logits.length;
  await check(
    'bce',
    ([x, y]) => loss.sigmoidBinaryCrossEntropy(x, y),
    [
      { shape: [2, 4], values: logits },
      { shape: [2, 4], values: labels, constant: true },
    ],
    reference,
  );
});

test('skip-gram negative sampling', async () => {
  const n = 3;
  const k = 4;
  const d = 5;
  const u = uniform(n * d);
  const v = uniform(n * d);
  const neg = uniform(n * k * d);
  let reference = 0;
  const dot = (a: Float64Array, i: number, b: Float64Array, j: number) => {
    let s = 0;
    for (let c = 0; c < d; c++) s += a[i * d + c] * b[j * d + c];
    return s;
  };
  for (let i = 0; i < n; i++) {
    reference -= logSigmoidJs(dot(u, i, v, i));
    for (let j = 0; j < k; j++) reference -= logSigmoidJs(-dot(u, i, neg, i * k + j));
  }
  reference /= n;
  await check(
    'sgns',
    ([a, b, c]) => loss.skipGramNegativeSampling(a, b, c),
    [
      { shape: [n, d], values: u },
      { shape: [n, d], values: v },
      { shape: [n, k, d], values: neg },
    ],
    reference,
  );
});

test('NT-Xent over 2N views against a JS reference', async () => {
  const rowsN = 6;
  const d = 4;
  const temperature = 0.5;
  const z = uniform(rowsN * d);
  const normed = rows(z, d).map((r) => {
    const norm = Math.hypot(...r);
    return r.map((x) => x / norm);
  });
  let reference = 0;
  for (let i = 0; i < rowsN; i++) {
    const logits: number[] = [];
    let positive = 0;
    for (let j = 0; j < rowsN; j++) {
      if (j === i) continue;
      const s = normed[i].reduce((acc, x, c) => acc + x * normed[j][c], 0) / temperature;
      if (j === (i + rowsN / 2) % rowsN) positive = logits.length;
      logits.push(s);
    }
    reference -= logSoftmaxJs(logits)[positive];
  }
  reference /= rowsN;
  await check('nt-xent', ([x]) => loss.ntXent(x, temperature), [{ shape: [rowsN, d], values: z }], reference);
});

test('margin contrastive pair loss, with a finite gradient at D = 0', async () => {
  const n = 4;
  const d = 3;
  const a = uniform(n * d);
  const b = uniform(n * d);
  // pair 3 is identical (D = 0), similar; pair 2 is dissimilar inside the margin, pair 1 outside it
  b.set(a.subarray(3 * d, 4 * d), 3 * d);
  b.set(
    a.subarray(1 * d, 2 * d).map((x) => x + 2),
    1 * d,
  );
  const y = Float64Array.from([0, 1, 1, 0]);
  const margin = 1.5;
  const eps = 1e-9;
  let reference = 0;
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let c = 0; c < d; c++) sq += (a[i * d + c] - b[i * d + c]) ** 2;
    const dist = Math.sqrt(sq + eps);
    reference += (1 - y[i]) * 0.5 * sq + y[i] * 0.5 * Math.max(0, margin - dist) ** 2;
  }
  reference /= n;
  await check(
    'contrastive',
    ([p, q, labels]) => loss.contrastivePairLoss(p, q, labels, { margin, eps }),
    [
      { shape: [n, d], values: a },
      { shape: [n, d], values: b },
      { shape: [n], values: y, constant: true },
    ],
    reference,
  );
  // a dissimilar identical pair: the hinge is active at D = 0 and the gradient stays finite
  const same = uniform(d);
  const value = await forward(
    ([p, q, labels]) => loss.contrastivePairLoss(p, q, labels, { margin, eps }),
    [
      { shape: [1, d], values: same },
      { shape: [1, d], values: same },
      { shape: [1], values: Float64Array.from([1]) },
    ],
  );
  assert.ok(Math.abs(value - 0.5 * (margin - Math.sqrt(eps)) ** 2) < 1e-12);
  const r = await gradCheck(
    (_g, [p, q, labels]) => loss.contrastivePairLoss(p, q, labels, { margin, eps }),
    [
      { shape: [1, d], values: same },
      { shape: [1, d], values: Float64Array.from(same) },
      { shape: [1], values: Float64Array.from([1]), constant: true },
    ],
    { eps: 1e-7 },
  );
  assert.ok(Number.isFinite(r.worst?.analytic), JSON.stringify(r.worst));
});

test('soft-target cross-entropy and distillation KL with T² scaling', async () => {
  const classes = 4;
  const student = uniform(3 * classes, 2);
  const teacher = uniform(3 * classes, 2);
  const probs = rows(uniform(3 * classes), classes).flatMap((r) => {
    const e = r.map(Math.exp);
    const s = e.reduce((a, x) => a + x, 0);
    return e.map((x) => x / s);
  });
  const softReference =
    rows(student, classes).reduce(
      (s, row, i) => s - logSoftmaxJs(row).reduce((a, lp, c) => a + probs[i * classes + c] * lp, 0),
      0,
    ) / 3;
  await check(
    'soft targets',
    ([x, p]) => loss.softTargetCrossEntropy(x, p),
    [
      { shape: [3, classes], values: student },
      { shape: [3, classes], values: Float64Array.from(probs), constant: true },
    ],
    softReference,
  );
  const temperature = 2.5;
  const teacherRows = rows(teacher, classes);
  const klReference =
    (temperature ** 2 *
      rows(student, classes).reduce((s, row, i) => {
        const lq = logSoftmaxJs(row.map((x) => x / temperature));
        const lp = logSoftmaxJs(teacherRows[i].map((x) => x / temperature));
        return s + lp.reduce((a, l, c) => a + Math.exp(l) * (l - lq[c]), 0);
      }, 0)) /
    3;
  await check(
    'distillation',
    ([s, t]) => loss.distillationLoss(s, t, temperature),
    [
      { shape: [3, classes], values: student },
      { shape: [3, classes], values: teacher },
    ],
    klReference,
  );
});
