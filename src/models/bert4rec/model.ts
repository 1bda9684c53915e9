// The BERT4Rec network over the shared Transformer encoder, as the authors' code computes it:
// item + learned position embeddings (h = v + p) with LayerNorm and dropout (BERT's embedding
// post-processor), L post-norm bidirectional layers, and the output layer
// P(v) = softmax(LN(GELU(h W^P + b^P)) E^T + b^O) with E the item embedding (the paper's formula
// plus the LayerNorm of BERT's masked-LM head, which their code applies). During training the
// output layer sees only the masked positions. The same network with causal attention and targets
// at every position is the SASRec-style baseline (objective `next`).
//
// Vocabulary: 0 padding, 1..n items, n + 1 [MASK].
import { compileEvalStep, compileTrainStep, exportInference } from '../../onnx/compile.ts';
import type { Graph, Op, Tensor } from '../../onnx/graph.ts';
import { softmaxCrossEntropy } from '../../onnx/losses.ts';
import * as op from '../../onnx/ops/index.ts';
import { adamw, schedule } from '../../onnx/optim/index.ts';
import type { Program } from '../../onnx/program.ts';
import {
  type EncoderConfig,
  encoderWeights,
  parametersOf,
  transformerEncoder,
} from '../transformer/index.ts';
import { type Initializer, initialValues } from '../transformer/init.ts';
import { type Bert4RecConfig, ffnWidth } from './config.ts';

export function encoderConfig(config: Bert4RecConfig): EncoderConfig {
  return {
    layers: config.layers,
    hidden: config.hidden,
    heads: config.heads,
    ffn: ffnWidth(config),
    norm: 'post',
    // BERT's (and BERT4Rec's) gelu is the tanh approximation
    gelu: 'tanh',
    layerNormEps: 1e-12,
    init: { kind: 'bert', std: config.init_std },
  };
}

interface Network {
  /** [rows, d] hidden states at the chosen positions after the output transform */
  transform(hidden: Tensor): Tensor;
  /** item embedding E [V, d] and output bias b^O [V] */
  items: Tensor;
  bias: Tensor;
  /** [B, T, d] encoder output */
  hidden: Tensor;
}

/** Embeddings, encoder and the output transform's parameters, declared on `g` under stable names. */
function network(
  g: Graph,
  ids: Tensor,
  config: Bert4RecConfig,
  items: number,
  dropoutSeed: Tensor | null,
): Network {
  const [, length] = ids.shape;
  const d = config.hidden;
  const vocabulary = items + 2;
  const param = (name: string, shape: number[], init: Initializer) =>
    g.parameter(name, shape, { values: initialValues(config.seed, name, shape, init) });
  const normal: Initializer = { kind: 'truncated-normal', std: config.init_std };
  const zeros: Initializer = { kind: 'constant', value: 0 };
  const ones: Initializer = { kind: 'constant', value: 1 };
  const table = param('embedding/items', [vocabulary, d], normal);
  const drop = dropoutSeed
    ? { hidden: config.dropout, attention: config.attention_dropout, seed: dropoutSeed }
    : undefined;
  const x = g.scope('embedding', () => {
    // the table always has N rows; a shorter step (short_len) reads its last rows, the positions
    // a left-padded short window occupies at full length
    const positions = param('embedding/positions', [config.max_len, d], normal);
    const summed = op.add(
      op.embedding(table, ids),
      op.slice(positions, 0, config.max_len - length, config.max_len),
    );
    const normed = op.layerNorm(
      summed,
      param('embedding/norm/gamma', [d], ones),
      param('embedding/norm/beta', [d], zeros),
      1e-12,
    );
    return drop && drop.hidden > 0 ? op.dropout(normed, { p: drop.hidden, seed: drop.seed }) : normed;
  });
  const padding = op.not(op.equal(ids, 0));
  const encoder = encoderConfig(config);
  const weights = encoderWeights(parametersOf(g), encoder, config.seed);
  const { hidden } = transformerEncoder(x, weights, encoder, {
    padding,
    causal: config.objective === 'next',
    dropout: drop,
  });
  const w = param('head/w', [d, d], normal);
  const b = param('head/b', [d], zeros);
  const gamma = param('head/norm/gamma', [d], ones);
  const beta = param('head/norm/beta', [d], zeros);
  const bias = param('head/bias', [vocabulary], zeros);
  return {
    hidden,
    items: table,
    bias,
    transform: (h) =>
      g.scope('head', () => op.layerNorm(op.gelu(op.linear(h, w, b), 'tanh'), gamma, beta, 1e-12)),
  };
}

export interface TrainShape {
  batch: number;
  /** sequence length of the step: N, or short_len for the short step */
  length: number;
  predictions: number;
  /** sampled-softmax negatives (0: full softmax) */
  negatives: number;
}

/** The training step: Cloze (or next-item) cross-entropy, AdamW, warmup + linear decay, clipping. */
export function trainProgram(
  config: Bert4RecConfig,
  items: number,
  shape: TrainShape,
  totalSteps: number,
): Program {
  const T = shape.length;
  const d = config.hidden;
  return compileTrainStep({
    name: T === config.max_len ? 'bert4rec_train' : `bert4rec_train_${T}`,
    build: (g) => {
      const ids = g.input('ids', [shape.batch, T], 'int64');
      const positions = g.input('masked_positions', [shape.predictions], 'int64');
      const labels = g.input('labels', [shape.predictions], 'int64');
      const seed = g.input('seed', [], 'int64');
      const negatives = shape.negatives > 0 ? g.input('negatives', [shape.negatives], 'int64') : null;
      const net = network(g, ids, config, items, seed);
      const picked = net.transform(op.gather(op.reshape(net.hidden, [shape.batch * T, d]), positions, 0));
      const loss = g.scope('loss', () =>
        negatives
          ? sampledLoss(picked, net, labels, negatives)
          : softmaxCrossEntropy(op.add(op.matmul(picked, op.transposeLast(net.items)), net.bias), labels, {
              ignoreIndex: 0,
            }),
      );
      return { loss };
    },
    optimizer: adamw({ weightDecay: config.weight_decay, eps: 1e-6 }),
    schedule: schedule.warmupLinearDecay({
      peak: config.lr,
      warmupSteps: Math.min(config.warmup_steps, Math.max(totalSteps - 1, 0)),
      totalSteps: Math.max(totalSteps, 1),
    }),
    clipNorm: config.clip_norm,
  });
}

/**
 * Sampled softmax against `negatives` shared by the batch (drawn uniformly, so no log-Q correction
 * is needed); a negative equal to a row's label is removed from that row, and rows with label 0
 * (unused prediction slots) do not count.
 */
function sampledLoss(picked: Tensor, net: Network, labels: Tensor, negatives: Tensor): Tensor {
  const positive = op.add(
    op.reduceSum(op.mul(picked, op.embedding(net.items, labels)), [-1]),
    op.gather(net.bias, labels, 0),
  );
  let sampled = op.add(
    op.matmul(picked, op.transposeLast(op.embedding(net.items, negatives))),
    op.gather(net.bias, negatives, 0),
  );
  const hit = op.equal(op.unsqueeze(labels, -1), negatives);
  sampled = op.where(hit, picked.graph.scalar(-1e9), sampled);
  const logp = op.slice(op.logSoftmax(op.concat([op.unsqueeze(positive, -1), sampled], -1)), -1, 0, 1);
  const counted = op.cast(op.not(op.equal(labels, 0)), picked.dtype);
  const total = op.sumAll(op.mul(op.squeeze(logp, -1), counted));
  return op.neg(op.div(total, op.maximum(op.sumAll(counted), 1)));
}

/** Scores of every vocabulary entry at the last position of each row: `scores` [rows, V]. */
export function scoreProgram(config: Bert4RecConfig, items: number, rows: number): Program {
  const T = config.max_len;
  return compileEvalStep({
    name: 'bert4rec_score',
    build: (g) => {
      const ids = g.input('ids', [rows, T], 'int64');
      const net = network(g, ids, config, items, null);
      const last = op.reshape(op.slice(net.hidden, 1, T - 1, T), [rows, config.hidden]);
      const scores = op.add(op.matmul(net.transform(last), op.transposeLast(net.items)), net.bias);
      return { outputs: { scores } };
    },
  });
}

// Only the exported recommender ranks, and nothing differentiates a ranking, so TopK lives here
// without a gradient rule rather than in the op library.
const TopKOp: Op<number> = {
  name: 'TopK',
  forward(g, [x], k) {
    const shape = [...x.shape.slice(0, -1), k];
    return g.node(
      'TopK',
      [x, g.int64s([k])],
      [
        { shape, dtype: x.dtype },
        { shape, dtype: 'int64' },
      ],
    );
  },
};

/**
 * The recommender as a standalone model: `history` int64 [1, N] (item ids 1..n, most recent
 * last, left-padded with 0; for BERT4Rec the last slot is ignored and replaced by [MASK]) to
 * `scores` float [1, k] and `items` int64 [1, k], best first. Padding, [MASK] and the items in
 * the history are never recommended.
 */
export function recommenderModel(
  config: Bert4RecConfig,
  items: number,
  k: number,
  parameters: ReadonlyMap<string, Float32Array | Float64Array>,
): Uint8Array {
  const T = config.max_len;
  const vocabulary = items + 2;
  const top = Math.min(k, items);
  const program = compileEvalStep({
    name: 'bert4rec_recommender',
    build: (g) => {
      const history = g.input('history', [1, T], 'int64');
      const ids =
        config.objective === 'cloze'
          ? op.concat([op.slice(history, 1, 1, T), g.constant([items + 1], [1, 1], 'int64', 'mask_token')], 1)
          : history;
      const net = network(g, ids, config, items, null);
      const last = op.reshape(op.slice(net.hidden, 1, T - 1, T), [1, config.hidden]);
      const logits = op.add(op.matmul(net.transform(last), op.transposeLast(net.items)), net.bias);
      // seen: any history slot equal to the item; padding and [MASK] are never candidates
      const classes = g.constant(
        Array.from({ length: vocabulary }, (_, i) => i),
        [vocabulary],
        'int64',
        'vocabulary',
      );
      const inHistory = op.reduceMax(op.cast(op.equal(op.unsqueeze(history, -1), classes), 'float32'), [1]);
      const special = g.constant(
        Array.from({ length: vocabulary }, (_, i) => (i === 0 || i === items + 1 ? 1 : 0)),
        [1, vocabulary],
        'float32',
        'special',
      );
      const excluded = op.greater(op.add(inHistory, special), 0);
      const masked = op.where(excluded, g.scalar(-3e38), logits);
      const [scores, ids_] = g.apply(TopKOp, [masked], top);
      return { outputs: { scores, items: ids_ } };
    },
  });
  return exportInference(program, parameters);
}
