// A small token classifier compiled by the step compiler (embedding, mean pooling, a GELU layer,
// softmax cross-entropy, AdamW with warmup and cosine decay, gradient clipping): the runtime's
// tests run a real compiled Program (int64 step counter, Adam moments, lr and grad_norm scalars)
// and not only hand-built ones.
import { compileEvalStep, compileTrainStep } from '../../compile.ts';
import type { HostArray } from '../../dtype.ts';
import type { Graph } from '../../graph.ts';
import { softmaxCrossEntropy } from '../../losses.ts';
import * as op from '../../ops/index.ts';
import { adamw, schedule } from '../../optim/index.ts';
import type { Program } from '../../program.ts';
import { mulberry32 } from '../../testing/random.ts';

export interface TokenClassifier {
  train: Program;
  eval: Program;
  /** deterministic batches: the class is the most frequent token's id modulo the class count */
  batch(index: number): Record<string, HostArray>;
}

export function tokenClassifier({
  batch = 8,
  length = 6,
  vocabulary = 20,
  width = 12,
  classes = 3,
} = {}): TokenClassifier {
  const rand = mulberry32(3);
  const uniform = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const table = uniform(vocabulary * width, 0.5);
  const hiddenWeight = uniform(width * width, 1 / Math.sqrt(width));
  const outWeight = uniform(width * classes, 1 / Math.sqrt(width));
  const build = (g: Graph, training: boolean) => {
    const ids = g.input('ids', [batch, length], 'int64');
    const embeddings = g.parameter('embed/table', [vocabulary, width], { values: table });
    const w1 = g.parameter('hidden/w', [width, width], { values: hiddenWeight });
    const b1 = g.parameter('hidden/b', [width], { values: new Float32Array(width) });
    const w2 = g.parameter('head/w', [width, classes], { values: outWeight });
    const b2 = g.parameter('head/b', [classes], { values: new Float32Array(classes) });
    const pooled = g.scope('embed', () => op.reduceMean(op.embedding(embeddings, ids), [1]));
    const hidden = g.scope('hidden', () => op.gelu(op.add(op.matmul(pooled, w1), b1)));
    const logits = g.scope('head', () => op.add(op.matmul(hidden, w2), b2));
    if (!training) return { outputs: { logits } };
    const labels = g.input('labels', [batch], 'int64');
    return { loss: g.scope('loss', () => softmaxCrossEntropy(logits, labels)) };
  };
  return {
    train: compileTrainStep({
      build: (g) => build(g, true),
      optimizer: adamw({ weightDecay: 0.01 }),
      schedule: schedule.warmupCosineDecay({ peak: 0.05, warmupSteps: 3, totalSteps: 40 }),
      clipNorm: 1,
    }),
    eval: compileEvalStep({ build: (g) => build(g, false) }),
    batch(index) {
      const r = mulberry32(500 + index);
      const ids = BigInt64Array.from({ length: batch * length }, () => BigInt(Math.floor(r() * vocabulary)));
      const labels = new BigInt64Array(batch);
      for (let b = 0; b < batch; b++) {
        const counts = new Map<bigint, number>();
        for (let t = 0; t < length; t++) {
          const id = ids[b * length + t];
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
        const top = [...counts].sort((x, y) => y[1] - x[1] || Number(x[0] - y[0]))[0][0];
        labels[b] = top % BigInt(classes);
      }
      return { ids, labels };
    },
  };
}
