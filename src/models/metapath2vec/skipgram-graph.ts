// The skip-gram trainer for GPU execution providers: one ONNX step graph whose parameters are
// the input and output tables, kept on the device by the runtime's Trainer (WebGPU gpu-buffer)
// so a step moves only the batch's ids in and a loss out. A step gathers the rows of a batch of
// (center, context, negatives), takes the gradient of the log-sigmoid loss with respect to those
// rows only, and adds -lr * gradient back into the tables with ScatterND(reduction='add'): a
// sparse SGD update that never materialises a dense gradient of a table.
//
// Batches are built on the CPU from the walks, pair by pair in corpus order, with negatives drawn
// from the same alias tables as the reference trainer. Within a batch the rows are read before
// any update (mini-batch SGD, where word2vec updates after every pair); repeated rows add up.
import { grad } from '../../onnx/autodiff.ts';
import { Graph, type Op, type Tensor } from '../../onnx/graph.ts';
import * as op from '../../onnx/ops/index.ts';
import type { Program } from '../../onnx/program.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import { Trainer } from '../../onnx/runtime/trainer.ts';
import { drawAlias, noiseTables } from './noise.ts';
import type {
  SkipGramConfig,
  SkipGramCorpus,
  SkipGramOptions,
  SkipGramResult,
  SkipGramVocab,
  StreamedCorpus,
  TrainSkipGram,
} from './types.ts';
import { pairsInCorpus } from './types.ts';

export interface SkipGramGraphOptions {
  device: DeviceChoice;
  /** (center, context) pairs per step; larger batches keep a GPU busier, smaller ones follow SGD closer */
  batchSize?: number;
}

/** rows of `table` at `ids` += `updates` (repeated ids accumulate); not differentiable, applied after grad */
const ScatterAddIntoOp: Op<void> = {
  name: 'ScatterAddInto',
  forward(g, [table, ids, updates]) {
    const index = g.node(
      'Unsqueeze',
      [ids, g.int64s([-1])],
      [{ shape: [...ids.shape, 1], dtype: 'int64' }],
    )[0];
    return g.node('ScatterND', [table, index, updates], [{ shape: table.shape, dtype: table.dtype }], {
      reduction: { string: 'add' },
    });
  },
};

function scatterAddInto(table: Tensor, ids: Tensor, updates: Tensor): Tensor {
  return table.graph.apply(ScatterAddIntoOp, [table, ids, updates], undefined)[0];
}

/**
 * The train step Program. Batch inputs: `centers` [B], `contexts` [B], `negatives` [B, K] (int64
 * token ids), `pair_weight` [B] (0 for padding), `negative_weight` [B, K] (0 for padding and for a
 * negative equal to its context, which word2vec skips), `lr` []. Scalar `loss`: the mean over the
 * batch's pairs of -log σ(u·v) - Σ_k log σ(-u·n_k).
 */
export function skipGramStepProgram(
  size: number,
  dim: number,
  negatives: number,
  batchSize: number,
  input: Float32Array,
): Program {
  const g = new Graph('skipgram_step');
  const centers = g.input('centers', [batchSize], 'int64');
  const contexts = g.input('contexts', [batchSize], 'int64');
  const negativeIds = g.input('negatives', [batchSize, negatives], 'int64');
  const pairWeight = g.input('pair_weight', [batchSize]);
  const negativeWeight = g.input('negative_weight', [batchSize, negatives]);
  const lr = g.input('lr', []);
  const inputTable = g.parameter('input', [size, dim], { values: input });
  const outputTable = g.parameter('output', [size, dim], { values: new Float32Array(size * dim) });

  const u = op.embedding(inputTable, centers);
  const v = op.embedding(outputTable, contexts);
  const n = op.embedding(outputTable, negativeIds);
  const positive = op.logSigmoid(op.reduceSum(op.mul(u, v), [-1]));
  const negativeScores = op.squeeze(op.matmul(n, op.unsqueeze(u, -1)), -1);
  const noise = op.reduceSum(op.mul(negativeWeight, op.logSigmoid(op.neg(negativeScores))), [-1]);
  // a sum over pairs, so each pair's step is lr times its own gradient, as in word2vec
  const total = op.neg(op.sumAll(op.mul(pairWeight, op.add(positive, noise))));
  const [gu, gv, gn] = grad(total, [u, v, n]);

  const step = op.neg(lr);
  const nextInput = scatterAddInto(inputTable, centers, op.mul(gu, step));
  const outputIds = op.concat([contexts, op.reshape(negativeIds, [batchSize * negatives])], 0);
  const outputUpdates = op.concat([gv, op.reshape(gn, [batchSize * negatives, dim])], 0);
  const nextOutput = scatterAddInto(outputTable, outputIds, op.mul(outputUpdates, step));
  g.output('loss', op.div(total, batchSize));
  g.output('next/input', nextInput);
  g.output('next/output', nextOutput);

  return {
    kind: 'train',
    model: g.toModel(),
    batch: g.inputs.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype })),
    parameters: g.parameters.map((p) => ({
      name: p.tensor.name,
      shape: p.tensor.shape,
      dtype: p.tensor.dtype,
      init: p.values,
      trainable: true,
      updatedBy: `next/${p.tensor.name}`,
    })),
    state: [],
    scalars: ['loss'],
    outputs: [],
  };
}

/** A TrainSkipGram that runs the step graph on `device` (config.threads: the provider's intra-op threads). */
export function skipGramGraphTrainer({ device, batchSize = 1024 }: SkipGramGraphOptions): TrainSkipGram {
  return async (corpus, vocab, config, options = {}) =>
    trainOnGraph(corpus, vocab, config, options, device, batchSize);
}

async function trainOnGraph(
  corpus: SkipGramCorpus | StreamedCorpus,
  vocab: SkipGramVocab,
  config: SkipGramConfig,
  options: SkipGramOptions,
  device: DeviceChoice,
  batchSize: number,
): Promise<SkipGramResult> {
  options.signal?.throwIfAborted();
  const started = performance.now();
  const { dim, window, epochs, lr } = config;
  const negatives = Math.max(1, config.negatives);
  const minLr = config.minLr ?? lr * 1e-4;
  const streamed = 'chunks' in corpus;
  const totalPairs = (streamed ? corpus.totalPairs : pairsInCorpus(corpus, window)) * epochs;
  if (!(totalPairs > 0)) {
    throw new RangeError(
      'skip-gram: the corpus has no (center, context) pair to train on (no walk has 2 tokens or more)',
    );
  }
  const random = seededRandom(config.seed);
  const input = Float32Array.from({ length: vocab.size * dim }, () => (random() - 0.5) / dim);
  const trainer = await Trainer.create(skipGramStepProgram(vocab.size, dim, negatives, batchSize, input), {
    device,
    threads: config.threads,
  });
  const tables = noiseTables(vocab, config.variant);
  const typed = config.variant === 'plusplus';
  const batch = {
    centers: new BigInt64Array(batchSize),
    contexts: new BigInt64Array(batchSize),
    negatives: new BigInt64Array(batchSize * negatives),
    pair_weight: new Float32Array(batchSize),
    negative_weight: new Float32Array(batchSize * negatives),
    lr: new Float32Array(1),
  };
  let filled = 0;
  let done = 0;
  // the loss summed over the epoch's pairs; a batch that straddles two epochs counts in the later
  let epochSum = { loss: 0, pairs: 0 };
  const epochLoss: number[] = [];

  const flush = async () => {
    batch.pair_weight.fill(0, filled);
    batch.negative_weight.fill(0, filled * negatives);
    batch.lr[0] = Math.max(minLr, lr - ((lr - minLr) * done) / totalPairs);
    // the step's loss is its pairs' summed loss over the batch size, padding weighing 0
    const { loss } = await trainer.step(batch);
    const batchLoss = loss * batchSize;
    epochSum = { loss: epochSum.loss + batchLoss, pairs: epochSum.pairs + filled };
    done += filled;
    options.onProgress?.(done, totalPairs, batchLoss / filled);
    filled = 0;
    options.signal?.throwIfAborted();
  };
  const endEpoch = () => {
    epochLoss.push(epochSum.loss / Math.max(1, epochSum.pairs));
    epochSum = { loss: 0, pairs: 0 };
  };

  /** Adds a pair to the batch; true when the batch is full. */
  const addPair = (center: number, context: number): boolean => {
    batch.centers[filled] = BigInt(center);
    batch.contexts[filled] = BigInt(context);
    batch.pair_weight[filled] = 1;
    const table = tables[typed ? vocab.typeOf[context] : 0];
    for (let k = 0; k < negatives; k++) {
      const at = filled * negatives + k;
      const noise = table && k < config.negatives ? drawAlias(table, random(), random()) : context;
      batch.negatives[at] = BigInt(noise);
      batch.negative_weight[at] = noise === context ? 0 : 1;
    }
    return ++filled === batchSize;
  };

  const trainChunk = async ({ tokens, offsets }: SkipGramCorpus) => {
    for (let w = 0; w + 1 < offsets.length; w++) {
      const begin = offsets[w];
      const end = offsets[w + 1];
      for (let i = begin; i < end; i++) {
        const from = Math.max(begin, i - window);
        const to = Math.min(end - 1, i + window);
        for (let j = from; j <= to; j++) if (j !== i && addPair(tokens[i], tokens[j])) await flush();
      }
    }
  };

  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (streamed) for await (const chunk of corpus.chunks) await trainChunk(chunk);
      else await trainChunk(corpus);
      if (epoch + 1 < epochs) endEpoch();
    }
    if (filled > 0) await flush();
    endEpoch();
    const { input: embeddings } = await trainer.parameters();
    return {
      embeddings: embeddings as Float32Array,
      pairs: done,
      epochLoss,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await trainer.release();
  }
}

/** mulberry32 */
function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let r = Math.imul(state ^ (state >>> 15), 1 | state);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
