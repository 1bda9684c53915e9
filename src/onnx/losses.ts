// Losses of the models Constellation trains, composed from the op library so each gradient is
// derived by autodiff. Every loss returns a scalar (rank-0) tensor, averaged the way the paper
// behind its model averages it.
import type { Graph, Op, Tensor } from './graph.ts';
import * as op from './ops/index.ts';

export interface CrossEntropyOptions {
  /** targets equal to this value contribute nothing; the mean is over the other positions */
  ignoreIndex?: number;
  /** ε of label smoothing: the target distribution is (1 - ε) one-hot + ε uniform */
  labelSmoothing?: number;
}

/**
 * Softmax cross-entropy over the last axis of `logits` [..., C] with integer `targets` [...]
 * (int64 or int32). Mean over counted positions; when every position is ignored the loss is 0.
 */
export function softmaxCrossEntropy(
  logits: Tensor,
  targets: Tensor,
  { ignoreIndex, labelSmoothing = 0 }: CrossEntropyOptions = {},
): Tensor {
  const classes = logits.shape[logits.rank - 1];
  if (targets.shape.join() !== logits.shape.slice(0, -1).join()) {
    throw new Error(
      `softmaxCrossEntropy: targets ${targets} must have the shape of logits ${logits} without its last axis`,
    );
  }
  if (labelSmoothing < 0 || labelSmoothing >= 1) {
    throw new Error(`softmaxCrossEntropy: labelSmoothing ${labelSmoothing} is outside [0, 1)`);
  }
  let perPosition: Tensor;
  if (labelSmoothing > 0) {
    const logp = op.logSoftmax(logits);
    const nll = op.neg(op.reduceSum(op.mul(op.oneHot(targets, classes, logits.dtype), logp), [-1]));
    const uniform = op.neg(op.reduceMean(logp, [-1]));
    perPosition = op.add(op.mul(nll, 1 - labelSmoothing), op.mul(uniform, labelSmoothing));
  } else {
    // ignored positions pick class 0 (any valid class); the mask below drops them
    const picked = ignoreIndex === undefined ? targets : op.where(op.equal(targets, ignoreIndex), 0, targets);
    perPosition = targetNll(logits, picked);
  }
  if (ignoreIndex === undefined) return op.meanAll(perPosition);
  const counted = op.cast(op.not(op.equal(targets, ignoreIndex)), logits.dtype);
  const total = op.sumAll(op.mul(perPosition, counted));
  return op.div(total, op.maximum(op.sumAll(counted), 1));
}

// -log softmax(logits)[target] per position: LogSoftmax and GatherElements forward. Its gradient,
// (softmax - onehot(target)) g, is one Exp, one Mul and one ScatterElements over [..., C]; built
// through a one-hot tensor it took several more passes over what is the step's largest tensor
// (the BERT4Rec benchmark's [2560, 3702] logits).
const TargetNllOp: Op = {
  name: 'TargetNll',
  forward(g, [logits, targets]) {
    const rows = [...targets.shape, 1];
    const [logp] = g.node('LogSoftmax', [logits], [{ shape: logits.shape, dtype: logits.dtype }], {
      axis: { int: -1 },
    });
    const [index] = g.node(
      'Unsqueeze',
      [toInt64(g, targets), g.int64s([-1])],
      [{ shape: rows, dtype: 'int64' }],
    );
    const [picked] = g.node('GatherElements', [logp, index], [{ shape: rows, dtype: logits.dtype }], {
      axis: { int: -1 },
    });
    const [nll] = g.node('Neg', [picked], [{ shape: rows, dtype: logits.dtype }]);
    return [
      g.node(
        'Reshape',
        [nll, g.int64s([...targets.shape])],
        [{ shape: targets.shape, dtype: logits.dtype }],
      )[0],
      logp,
    ];
  },
  backward(_g, { inputs: [, targets], outputs: [, logp] }, [gy]) {
    return [logp.graph.apply(TargetNllGradOp, [logp, targets, gy!], undefined)[0], null];
  },
};

/** exp(logp) g - onehot(target) g; not differentiable again (no model needs CE's second derivative). */
const TargetNllGradOp: Op = {
  name: 'TargetNllGrad',
  forward(g, [logp, targets, gy]) {
    const rows = [...targets.shape, 1];
    const like = [{ shape: logp.shape, dtype: logp.dtype }];
    const perRow = [{ shape: rows, dtype: logp.dtype }];
    const [weight] = g.node('Reshape', [gy, g.int64s(rows)], perRow);
    const [scaled] = g.node('Mul', [g.node('Exp', [logp], like)[0], weight], like);
    const [index] = g.node(
      'Unsqueeze',
      [toInt64(g, targets), g.int64s([-1])],
      [{ shape: rows, dtype: 'int64' }],
    );
    return g.node('ScatterElements', [scaled, index, g.node('Neg', [weight], perRow)[0]], like, {
      axis: { int: -1 },
      reduction: { string: 'add' },
    });
  },
};

function toInt64(g: Graph, ids: Tensor): Tensor {
  if (ids.dtype === 'int64') return ids;
  return g.node('Cast', [ids], [{ shape: ids.shape, dtype: 'int64' }], { to: { int: 7 } })[0];
}

/** -log softmax(logits)[targets] over the last axis, one value per position; targets must be valid classes. */
function targetNll(logits: Tensor, targets: Tensor): Tensor {
  return logits.graph.apply(TargetNllOp, [logits, targets], undefined)[0];
}

export interface SampledSoftmaxOptions {
  /** log Q(true class) [N]: subtracted from the true logits (the sampled-softmax correction) */
  trueLogQ?: Tensor;
  /** log Q(sampled class) [K] or [N, K]: subtracted from the sampled logits */
  sampledLogQ?: Tensor;
  /**
   * true class ids [N] and sampled ids [K] or [N, K]: a sample that is the row's true class is
   * removed from that row's softmax (an "accidental hit")
   */
  accidentalHits?: { targets: Tensor; sampled: Tensor };
}

/**
 * Sampled softmax: cross-entropy of the true class against K sampled negatives instead of the
 * whole vocabulary. `trueLogits` [N] are the logits of each row's true class; `sampledLogits`
 * [N, K] those of the negatives, whose ids were sampled outside the graph and fed as an input.
 */
export function sampledSoftmaxCrossEntropy(
  trueLogits: Tensor,
  sampledLogits: Tensor,
  { trueLogQ, sampledLogQ, accidentalHits }: SampledSoftmaxOptions = {},
): Tensor {
  const n = trueLogits.shape[0];
  if (trueLogits.rank !== 1 || sampledLogits.rank !== 2 || sampledLogits.shape[0] !== n) {
    throw new Error(
      `sampledSoftmaxCrossEntropy: expected true logits [N] and sampled logits [N, K], got ${trueLogits} and ${sampledLogits}`,
    );
  }
  let positive = trueLogits;
  let negatives = sampledLogits;
  if (trueLogQ) positive = op.sub(positive, trueLogQ);
  if (sampledLogQ) negatives = op.sub(negatives, sampledLogQ);
  if (accidentalHits) {
    const hit = op.equal(op.unsqueeze(accidentalHits.targets, -1), accidentalHits.sampled);
    negatives = op.where(hit, largeNegative(negatives), negatives);
  }
  const logits = op.concat([op.unsqueeze(positive, -1), negatives], -1);
  return op.neg(op.meanAll(op.slice(op.logSoftmax(logits), -1, 0, 1)));
}

/** A finite stand-in for -∞ in masks: exp of it is 0 and it stays finite through the gradient. */
function largeNegative(like: Tensor): Tensor {
  return like.graph.scalar(like.dtype === 'float64' ? -1e30 : -1e9, like.dtype);
}

/** Binary cross-entropy of `logits` against 0/1 (or soft) `labels` of the same shape, mean over elements. */
export function sigmoidBinaryCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  return op.meanAll(op.sub(op.softplus(logits), op.mul(logits, labels)));
}

/**
 * Skip-gram with negative sampling (word2vec, metapath2vec): for centers u [N, d], true contexts
 * v [N, d] and negatives [N, K, d], mean over N of -log σ(u·v) - Σ_k log σ(-u·v_k).
 */
export function skipGramNegativeSampling(center: Tensor, context: Tensor, negatives: Tensor): Tensor {
  const positive = op.reduceSum(op.mul(center, context), [-1]);
  const negativeScores = op.squeeze(op.matmul(negatives, op.unsqueeze(center, -1)), -1);
  const perPair = op.neg(
    op.add(op.logSigmoid(positive), op.reduceSum(op.logSigmoid(op.neg(negativeScores)), [-1])),
  );
  return op.meanAll(perPair);
}

/**
 * NT-Xent (SimCLR): `projections` [2N, d] hold two views, row i and row i + N of the same
 * example. Cosine similarities over `temperature`, the self-similarity masked out, each of the
 * 2N anchors classifies its other view among the 2N - 1 others; mean over the anchors.
 */
export function ntXent(projections: Tensor, temperature: number): Tensor {
  const g = projections.graph;
  const rows = projections.shape[0];
  if (projections.rank !== 2 || rows % 2 !== 0) {
    throw new Error(`ntXent: projections must be [2N, d], got ${projections}`);
  }
  const z = op.l2Normalize(projections);
  const similarity = op.div(op.matmul(z, op.transposeLast(z)), temperature);
  const logits = op.where(identity(g, rows), largeNegative(similarity), similarity);
  const half = rows / 2;
  const partner = new Array<number>(rows * rows).fill(0);
  for (let i = 0; i < rows; i++) partner[i * rows + ((i + half) % rows)] = 1;
  const positives = g.constant(partner, [rows, rows], projections.dtype, 'ntxent_positives');
  return op.neg(op.meanAll(op.reduceSum(op.mul(positives, op.logSoftmax(logits)), [-1])));
}

function identity(g: Graph, n: number): Tensor {
  const values = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  return g.constant(values, [n, n], 'bool', 'identity');
}

/**
 * Margin contrastive pair loss (Hadsell, Chopra, LeCun 2006), mean over N pairs of embeddings
 * a, b [N, d] with `dissimilar` [N] (the paper's Y: 0 similar, 1 dissimilar):
 * (1 - Y) ½ D² + Y ½ max(0, m - D)². D = sqrt(|a - b|² + eps) so the gradient at a = b is finite.
 */
export function contrastivePairLoss(
  a: Tensor,
  b: Tensor,
  dissimilar: Tensor,
  { margin = 1, eps = 1e-9 }: { margin?: number; eps?: number } = {},
): Tensor {
  const diff = op.sub(a, b);
  const squared = op.reduceSum(op.mul(diff, diff), [-1]);
  const distance = op.sqrt(op.add(squared, eps));
  const gap = op.maximum(op.sub(margin, distance), 0);
  const y = op.cast(dissimilar, a.dtype);
  const similarTerm = op.mul(op.sub(1, y), squared);
  const dissimilarTerm = op.mul(y, op.mul(gap, gap));
  return op.mul(op.meanAll(op.add(similarTerm, dissimilarTerm)), 0.5);
}

/** Cross-entropy against a target distribution `targetProbs` [..., C], mean over rows. */
export function softTargetCrossEntropy(logits: Tensor, targetProbs: Tensor): Tensor {
  return op.neg(op.meanAll(op.reduceSum(op.mul(targetProbs, op.logSoftmax(logits)), [-1])));
}

/**
 * Knowledge distillation (Hinton et al. 2015): KL(softmax(teacher / T) ‖ softmax(student / T))
 * mean over rows, times T² so gradient magnitudes stay comparable across temperatures.
 */
export function distillationLoss(studentLogits: Tensor, teacherLogits: Tensor, temperature = 1): Tensor {
  const teacherLogp = op.logSoftmax(op.div(teacherLogits, temperature));
  const studentLogp = op.logSoftmax(op.div(studentLogits, temperature));
  const teacherP = op.exp(teacherLogp);
  const kl = op.reduceSum(op.mul(teacherP, op.sub(teacherLogp, studentLogp)), [-1]);
  return op.mul(op.meanAll(kl), temperature * temperature);
}
