// `eval RUN --protocol linear | knn` on an image run: the frozen representations of its training
// images classify its test images, through a linear classifier (C chosen on the validation images)
// or weighted k-NN voting. Both report top-1 and the confusion matrix on the run's test split.

import type { Workspace } from '../workspace/workspace.ts';
import { confusion } from './classification-metrics.ts';
import { type ImageRepresentations, imageRepresentations } from './image-representations.ts';
import { defaultK, knnClassify } from './knn.ts';
import { linearProbe } from './linear-probe.ts';

export interface TestFigures {
  run: number;
  model: string;
  split: 'test';
  top1: number;
  /** test images classified */
  images: number;
  classes: string[];
  /** confusion[true][predicted] counts */
  confusion: number[][];
  /** recall of each class */
  per_class_top1: number[];
  /** training images whose representations the classifier learned from (k-NN: its memory) */
  train: number;
  dim: number;
  seconds: number;
}

export interface LinearEvaluation extends TestFigures {
  protocol: 'linear';
  c: number;
  validation_top1: number;
  grid: { c: number; validation_top1: number }[];
}

export interface KnnEvaluation extends TestFigures {
  protocol: 'knn';
  k: number;
  temperature: number;
}

function testFigures(data: ImageRepresentations, predicted: Int32Array, started: number): TestFigures {
  const k = data.classes.length;
  const counts = confusion(data.test.labels, predicted, k);
  const matrix = Array.from({ length: k }, (_, t) => Array.from(counts.subarray(t * k, (t + 1) * k)));
  let hits = 0;
  for (let c = 0; c < k; c++) hits += matrix[c][c];
  const images = data.test.labels.length;
  return {
    run: data.run,
    model: data.model,
    split: 'test',
    top1: images > 0 ? hits / images : 0,
    images,
    classes: data.classes,
    confusion: matrix,
    per_class_top1: matrix.map((row, c) => {
      const n = row.reduce((a, b) => a + b, 0);
      return n > 0 ? row[c] / n : 0;
    }),
    train: data.train.labels.length,
    dim: data.dim,
    seconds: (performance.now() - started) / 1000,
  };
}

export function evaluateLinear(
  workspace: Workspace,
  runId: number,
  options: { cs?: number[]; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): LinearEvaluation {
  const started = performance.now();
  const data = imageRepresentations(workspace, runId);
  const probe = linearProbe(data.train, data.validation, data.test, data.dim, data.classes.length, options);
  return {
    ...testFigures(data, probe.predicted, started),
    protocol: 'linear',
    c: probe.c,
    validation_top1: probe.validation_top1,
    grid: probe.grid,
  };
}

export async function evaluateKnn(
  workspace: Workspace,
  runId: number,
  options: {
    k?: number;
    temperature?: number;
    signal?: AbortSignal;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<KnnEvaluation> {
  const started = performance.now();
  const data = imageRepresentations(workspace, runId);
  const k = options.k ?? defaultK(data.train.labels.length);
  const temperature = options.temperature ?? 0.1;
  const predicted = await knnClassify(
    data.train.vectors,
    data.train.labels,
    data.test.vectors,
    data.dim,
    data.classes.length,
    { k, temperature },
    options,
  );
  return { ...testFigures(data, predicted, started), protocol: 'knn', k, temperature };
}
