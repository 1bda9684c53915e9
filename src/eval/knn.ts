// Weighted k-nearest-neighbour classification of representations, the monitor of self-supervised
// image encoders (Wu et al. 2018, "Unsupervised feature learning via non-parametric instance
// discrimination"; solo-learn's WeightedKNNClassifier): cosine similarity to every memory row, the
// k most similar vote for their class with weight exp(similarity / temperature), highest score wins.
// The similarities are blocks of queries times the memory as one onnxruntime MatMul (Fashion-MNIST's
// 10k test images against 54k training images are 3.5 · 10^10 multiply-adds at dimension 64);
// picking each query's k best from its row stays here.
import ort from 'onnxruntime-node';
import { compileEvalStep } from '../onnx/compile.ts';
import * as op from '../onnx/ops/index.ts';

export interface KnnOptions {
  k: number;
  /** τ of the exp(s / τ) vote weights; small τ lets the closest neighbours dominate */
  temperature: number;
}

/** The default k: Wu et al.'s 200, or 20 when the memory holds fewer than 2000 rows (10 k). */
export function defaultK(memoryRows: number): number {
  return memoryRows >= 2000 ? 200 : 20;
}

/** Rows of `vectors` (rows x dim) scaled to unit length; zero rows stay zero. */
export function unitRows(vectors: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(vectors.length);
  for (let r = 0; r < vectors.length / dim; r++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += vectors[r * dim + d] ** 2;
    const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let d = 0; d < dim; d++) out[r * dim + d] = vectors[r * dim + d] * scale;
  }
  return out;
}

/** Queries per MatMul: a block's similarities are block x memory floats (27 MB at 54k rows). */
const block = 128;

/** similarity [block, rows] = queries [block, dim] x memory [rows, dim]ᵀ. */
function similarityModel(rows: number, dim: number): Uint8Array {
  return compileEvalStep({
    name: 'knn_similarity',
    build: (g) => {
      const queries = g.input('queries', [block, dim], 'float32');
      const memory = g.input('memory', [rows, dim], 'float32');
      return { outputs: { similarity: op.matmul(queries, op.transposeLast(memory)) } };
    },
  }).model;
}

/**
 * The predicted class of each query row. `memory` and `queries` are rows x dim; `memoryLabels`
 * holds each memory row's class in 0..classes-1. k larger than the memory uses all of it.
 */
export async function knnClassify(
  memory: Float32Array,
  memoryLabels: Int32Array,
  queries: Float32Array,
  dim: number,
  classes: number,
  { k, temperature }: KnnOptions,
  control: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<Int32Array> {
  if (!(k >= 1) || !(temperature > 0)) throw new RangeError(`k-NN needs k >= 1 and temperature > 0`);
  if (memoryLabels.length === 0)
    throw new RangeError('k-NN needs training images to vote, and there are none');
  const bank = unitRows(memory, dim);
  const asked = unitRows(queries, dim);
  const rows = memoryLabels.length;
  const kept = Math.min(k, rows);
  const predicted = new Int32Array(asked.length / dim);
  // the kept neighbours, most similar first: insertion keeps them sorted, and most memory rows fail
  // the comparison with the last kept one before any insertion
  const similarity = new Float64Array(kept);
  const label = new Int32Array(kept);
  const score = new Float64Array(classes);
  const session = await ort.InferenceSession.create(similarityModel(rows, dim));
  try {
    const memoryTensor = new ort.Tensor('float32', bank, [rows, dim]);
    const batch = new Float32Array(block * dim);
    for (let first = 0; first < predicted.length; first += block) {
      if (control.signal?.aborted) {
        const error = new Error('evaluation cancelled');
        error.name = 'AbortError';
        throw error;
      }
      control.onProgress?.(first, predicted.length);
      const count = Math.min(block, predicted.length - first);
      batch.fill(0);
      batch.set(asked.subarray(first * dim, (first + count) * dim));
      const out = await session.run({
        queries: new ort.Tensor('float32', batch, [block, dim]),
        memory: memoryTensor,
      });
      const all = out.similarity.data as Float32Array;
      for (let q = 0; q < count; q++) {
        const row = all.subarray(q * rows, (q + 1) * rows);
        let size = 0;
        for (let r = 0; r < rows; r++) {
          const s = row[r];
          if (size === kept && s <= similarity[kept - 1]) continue;
          let at = size < kept ? size++ : kept - 1;
          while (at > 0 && similarity[at - 1] < s) {
            similarity[at] = similarity[at - 1];
            label[at] = label[at - 1];
            at--;
          }
          similarity[at] = s;
          label[at] = memoryLabels[r];
        }
        score.fill(0);
        // weights relative to the best neighbour: exp((s - s_max) / τ) ranks the same and cannot overflow
        for (let j = 0; j < size; j++)
          score[label[j]] += Math.exp((similarity[j] - similarity[0]) / temperature);
        let best = 0;
        for (let c = 1; c < classes; c++) if (score[c] > score[best]) best = c;
        predicted[first + q] = best;
      }
    }
  } finally {
    await session.release();
  }
  return predicted;
}

/** The share of queries whose k-NN vote is their own class (`queryLabels`); 0 without queries. */
export async function knnTop1(
  memory: Float32Array,
  memoryLabels: Int32Array,
  queries: Float32Array,
  queryLabels: Int32Array,
  dim: number,
  classes: number,
  options: KnnOptions,
): Promise<number> {
  if (queryLabels.length === 0) return 0;
  const predicted = await knnClassify(memory, memoryLabels, queries, dim, classes, options);
  let hits = 0;
  for (let q = 0; q < predicted.length; q++) if (predicted[q] === queryLabels[q]) hits++;
  return hits / predicted.length;
}
