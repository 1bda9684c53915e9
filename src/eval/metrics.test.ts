import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confusion, macroF1, microF1 } from './classification-metrics.ts';
import { ari, nmi } from './clustering-metrics.ts';
import { kMeans } from './kmeans.ts';
import { fitLogisticRegression, predictLogisticRegression } from './logistic-regression.ts';
import { cosineNeighbours } from './neighbours.ts';
import { seededRandom } from './random.ts';
import { stratifiedSplit } from './splits.ts';

const close = (actual: number, expected: number, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected}`);

test('F1 scores of a small confusion, by hand', () => {
  // truth:     0 0 0 0 1 1 1 2 2 2
  // predicted: 0 0 1 2 1 1 0 2 2 2
  const truth = Int32Array.of(0, 0, 0, 0, 1, 1, 1, 2, 2, 2);
  const predicted = Int32Array.of(0, 0, 1, 2, 1, 1, 0, 2, 2, 2);
  assert.deepEqual(Array.from(confusion(truth, predicted, 3)), [2, 1, 1, 1, 2, 0, 0, 0, 3]);
  // class 0: tp 2, fp 1, fn 2 -> 4/7; class 1: tp 2, fp 1, fn 1 -> 4/6; class 2: tp 3, fp 1, fn 0 -> 6/7
  close(macroF1(truth, predicted, 3), (4 / 7 + 4 / 6 + 6 / 7) / 3);
  close(microF1(truth, predicted), 7 / 10);
  // a class absent from truth and prediction is left out of the mean
  close(macroF1(Int32Array.of(0, 1), Int32Array.of(0, 1), 5), 1);
});

test('NMI and ARI of known partitions', () => {
  const a = Int32Array.of(0, 0, 0, 1, 1, 1);
  close(nmi(a, Int32Array.of(1, 1, 1, 0, 0, 0)), 1);
  close(ari(a, Int32Array.of(1, 1, 1, 0, 0, 0)), 1);
  // scikit-learn: normalized_mutual_info_score([0,0,0,1,1,1],[0,0,1,1,2,2]) = 0.5158037429793889
  //               adjusted_rand_score([0,0,0,1,1,1],[0,0,1,1,2,2]) = 0.24242424242424246
  close(nmi(a, Int32Array.of(0, 0, 1, 1, 2, 2)), 0.5158037429793889, 1e-12);
  close(ari(a, Int32Array.of(0, 0, 1, 1, 2, 2)), 0.24242424242424246, 1e-12);
  // independent labellings: ARI slightly negative here, NMI 0
  close(nmi(Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 1, 0, 1)), 0);
  close(ari(Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 1, 0, 1)), -0.5);
});

function blobs(centers: number[][], perBlob: number, spread: number, seed: number) {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const dim = centers[0].length;
  const x = new Float64Array(centers.length * perBlob * dim);
  const y = new Int32Array(centers.length * perBlob);
  centers.forEach((center, c) => {
    for (let i = 0; i < perBlob; i++) {
      const row = c * perBlob + i;
      y[row] = c;
      for (let d = 0; d < dim; d++) x[row * dim + d] = center[d] + spread * gaussian();
    }
  });
  return { x, y, dim };
}

test('k-means recovers separated blobs and is reproducible from its seed', () => {
  const { x, y, dim } = blobs(
    [
      [0, 0, 0],
      [10, 0, 0],
      [0, 10, 0],
      [0, 0, 10],
    ],
    50,
    1,
    3,
  );
  const first = kMeans(x, dim, 4, 11);
  close(nmi(y, first.assignments), 1);
  close(ari(y, first.assignments), 1);
  assert.deepEqual(kMeans(x, dim, 4, 11).assignments, first.assignments);
  assert.throws(() => kMeans(x, dim, 0, 1), /k = 0/);
});

test('logistic regression separates blobs and its penalty shrinks the weights', () => {
  const train = blobs(
    [
      [2, 0],
      [-2, 0],
      [0, 3],
    ],
    60,
    0.5,
    5,
  );
  const test = blobs(
    [
      [2, 0],
      [-2, 0],
      [0, 3],
    ],
    40,
    0.5,
    6,
  );
  const model = fitLogisticRegression(train.x, train.y, 3);
  assert.ok(model.iterations > 0);
  const accuracy = microF1(test.y, predictLogisticRegression(model, test.x));
  assert.ok(accuracy >= 0.98, `accuracy ${accuracy}`);
  const norm = (w: Float64Array) => Math.hypot(...w.subarray(0, 6));
  const strong = fitLogisticRegression(train.x, train.y, 3, { c: 0.001 });
  assert.ok(norm(strong.weights) < norm(model.weights) / 5);
  // at the optimum of C·Σ loss + ½||W||², the weight gradient vanishes: the classes' weights sum to zero
  const sum = [0, 1].map((d) => model.weights[d] + model.weights[2 + d] + model.weights[4 + d]);
  for (const s of sum) close(s, 0, 1e-3);
});

test('stratified splits keep each class at the train fraction', () => {
  const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : i < 95 ? 1 : 2));
  const split = stratifiedSplit(labels, 0.2, 1);
  const trainCounts = [0, 0, 0];
  for (const i of split.train) trainCounts[labels[i]]++;
  assert.deepEqual(trainCounts, [16, 3, 1]);
  assert.equal(split.train.length + split.test.length, 100);
  assert.equal(new Set([...split.train, ...split.test]).size, 100);
  assert.deepEqual(stratifiedSplit(labels, 0.2, 1), split);
  assert.notDeepEqual(stratifiedSplit(labels, 0.2, 2).train, split.train);
});

test('cosine neighbours, best first, restricted on request', () => {
  const vectors = Float32Array.of(1, 0, 0.9, 0.1, 0, 1, -1, 0, 0.5, 0.5, 0, 0);
  const all = cosineNeighbours(vectors, 2, 0, 3);
  assert.deepEqual(
    all.map((n) => n.row),
    [1, 4, 2],
  );
  close(all[0].similarity, 0.9 / Math.hypot(0.9, 0.1));
  assert.deepEqual(
    cosineNeighbours(vectors, 2, 0, 2, (row) => row >= 2).map((n) => n.row),
    [4, 2],
  );
});
