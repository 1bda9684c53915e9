// Supervised evaluation of an image (or clip) classifier: top-1 accuracy and the confusion matrix over a set
// of labelled images, and the representation of every image for the embedding explorer. The model
// is any function from a uint8 batch of `rows` images to its logits and representations, so the
// trainer thread (during training) and a plain session (a stored run) share this code.
import type { HostArray } from '../../onnx/dtype.ts';
import type { TrainerThread } from '../../onnx/runtime/trainer-thread.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { imageBatch } from '../vision/batches.ts';
import type { ImageSet } from '../vision/image-set.ts';

export type Classifier = (images: Uint8Array) => Promise<Record<string, HostArray>>;

export interface SupervisedMetrics {
  top1: number;
  /** images evaluated */
  images: number;
  classes: string[];
  /** confusion[true][predicted] counts */
  confusion: number[][];
  /** recall of each class (its diagonal over its row) */
  per_class_top1: number[];
}

/** Argmax of each of the first `n` rows of `logits` [rows, classes]. */
function predictions(logits: Float32Array, n: number, classes: number): Int32Array {
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[r * classes + c] > logits[r * classes + best]) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * Runs `images` through the model `rows` at a time. Returns the predicted class of each, and the
 * `embedding` output rows when `dim` is given.
 */
export async function classify(
  set: Pick<ImageSet, 'classes' | 'count' | 'pixels' | 'labels'>,
  images: Int32Array,
  rows: number,
  model: Classifier,
  options: { dim?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ predicted: Int32Array; embeddings: Float32Array | null }> {
  const classes = set.classes.length;
  const predicted = new Int32Array(images.length);
  const embeddings = options.dim ? new Float32Array(images.length * options.dim) : null;
  for (let at = 0; at < images.length; at += rows) {
    if (options.signal?.aborted) {
      const error = new Error('evaluation cancelled');
      error.name = 'AbortError';
      throw error;
    }
    const chosen = images.subarray(at, Math.min(at + rows, images.length));
    const out = await model(imageBatch(set, chosen, rows).images);
    predicted.set(predictions(out.logits as Float32Array, chosen.length, classes), at);
    if (embeddings && options.dim) {
      embeddings.set(
        (out.embedding as Float32Array).subarray(0, chosen.length * options.dim),
        at * options.dim,
      );
    }
    options.onProgress?.(at + chosen.length, images.length);
  }
  return { predicted, embeddings };
}

export function supervisedMetrics(
  set: Pick<ImageSet, 'classes' | 'labels'>,
  images: Int32Array,
  predicted: Int32Array,
): SupervisedMetrics {
  const k = set.classes.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let hits = 0;
  for (let i = 0; i < images.length; i++) {
    const truth = set.labels[images[i]];
    confusion[truth][predicted[i]]++;
    if (truth === predicted[i]) hits++;
  }
  return {
    top1: images.length > 0 ? hits / images.length : 0,
    images: images.length,
    classes: set.classes,
    confusion,
    per_class_top1: confusion.map((row, c) => {
      const n = row.reduce((a, b) => a + b, 0);
      return n > 0 ? row[c] / n : 0;
    }),
  };
}

type EvaluationPhase = 'validation' | 'test' | 'storing';

/** What a supervised classifier's run (ViT, the video models) shares for validation and its end. */
export interface ClassifierRun {
  workspace: Workspace;
  runId: number;
  set: Pick<ImageSet, 'classes' | 'count' | 'pixels' | 'labels' | 'entityIds'>;
  split: { validation: Int32Array; test: Int32Array };
  evalBatch: number;
  /** width of the representation stored as the run's embeddings */
  dim: number;
  signal?: AbortSignal;
  progress(p: { phase: EvaluationPhase; epoch: number; step: number; done?: number; total?: number }): void;
  modelOf(thread: TrainerThread): Classifier;
}

/**
 * The training loop's validation (top-1 on the validation split) and the run's end: the best
 * parameters scored on the test split, then every example's representation stored.
 */
export function classifierRun(run: ClassifierRun) {
  const { set, split, evalBatch, signal, progress } = run;
  return {
    validate: async (thread: TrainerThread, { epoch, step }: { epoch: number; step: number }) => {
      const { predicted } = await classify(set, split.validation, evalBatch, run.modelOf(thread), {
        signal,
        onProgress: (done, total) => progress({ phase: 'validation', epoch, step, done, total }),
      });
      const top1 = supervisedMetrics(set, split.validation, predicted).top1;
      return { score: top1, metrics: { 'val/top1': top1 } };
    },
    validates: split.validation.length > 0,
    testAndStore: async (thread: TrainerThread, summary: { epochs: number; steps: number }) => {
      const model = run.modelOf(thread);
      const at = { epoch: summary.epochs, step: summary.steps };
      progress({ phase: 'test', ...at });
      const { predicted } = await classify(set, split.test, evalBatch, model, {
        signal,
        onProgress: (done, total) => progress({ phase: 'test', ...at, done, total }),
      });
      const test = supervisedMetrics(set, split.test, predicted);
      run.workspace.runs.appendMetrics(run.runId, [
        { name: 'test/top1', step: summary.steps, value: test.top1 },
      ]);
      progress({ phase: 'storing', ...at });
      const everyExample = Int32Array.from({ length: set.count }, (_, i) => i);
      const { embeddings } = await classify(set, everyExample, evalBatch, model, {
        dim: run.dim,
        signal,
        onProgress: (done, total) => progress({ phase: 'storing', ...at, done, total }),
      });
      run.workspace.embeddings.put(run.runId, {
        entityIds: set.entityIds,
        dim: run.dim,
        vectors: embeddings!,
      });
      return { test, embeddings: set.count };
    },
  };
}
