import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ari } from '../eval/clustering-metrics.ts';
import { seededRandom } from '../eval/random.ts';
import { labelClusters } from './cluster-labels.ts';
import { clusteredVectors } from './clustered-vectors.ts';
import { cluster } from './clustering.ts';
import { ApproximateIndex, exactNeighbours } from './nearest-neighbours.ts';
import { principalAxes, symmetricEigen } from './pca.ts';
import { project } from './projection.ts';

/** Share of each point's 10 nearest points in 2-D that come from its own blob. */
function purity(xy: Float32Array, blobs: Int32Array): number {
  const { rows, k } = exactNeighbours(xy, 2, 'euclidean', 10, Int32Array.from(blobs.keys()), true);
  let same = 0;
  for (let i = 0; i < blobs.length; i++)
    for (let j = 0; j < k; j++) if (blobs[rows[i * k + j]] === blobs[i]) same++;
  return same / (blobs.length * k);
}

test('PCA finds the axes of a Gaussian stretched along known directions', () => {
  const random = seededRandom(3);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const dim = 40;
  // axes e1 and (e2 + e3)/sqrt(2) with standard deviations 10 and 5, unit noise elsewhere
  const n = 4000;
  const x = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    for (let d = 0; d < dim; d++) x[r * dim + d] = 0.5 * gauss() + 3;
    x[r * dim] += 10 * gauss();
    const b = 5 * gauss();
    x[r * dim + 1] += b / Math.SQRT2;
    x[r * dim + 2] += b / Math.SQRT2;
  }
  const { axes, variances, mean } = principalAxes(x, dim, 2);
  assert.ok(Math.abs(axes[0]) > 0.999, `first axis ${axes[0]}`);
  assert.ok(Math.abs(axes[dim + 1] + axes[dim + 2]) / Math.SQRT2 > 0.999);
  assert.ok(Math.abs(variances[0] - 100) < 8, `variance ${variances[0]}`);
  assert.ok(Math.abs(mean[5] - 3) < 0.1);
});

test('PCA agrees with an exact eigendecomposition of a small covariance', () => {
  const { vectors, dim } = clusteredVectors(300, 36, 4, 9, 2);
  const { axes, variances } = principalAxes(vectors, dim, 2);
  const n = vectors.length / dim;
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let d = 0; d < dim; d++) mean[d] += vectors[r * dim + d] / n;
  const cov = new Float64Array(dim * dim);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < dim; i++)
      for (let j = 0; j < dim; j++)
        cov[i * dim + j] += ((vectors[r * dim + i] - mean[i]) * (vectors[r * dim + j] - mean[j])) / (n - 1);
  const exact = symmetricEigen(cov, dim);
  for (let a = 0; a < 2; a++) {
    assert.ok(Math.abs(variances[a] - exact.values[a]) < 1e-6 * exact.values[a]);
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += axes[a * dim + d] * exact.vectors[d * dim + a];
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-6, `axis ${a}: |dot| ${dot}`);
  }
});

test('UMAP keeps separated blobs apart and repeats itself from the seed', async () => {
  const { vectors, dim, blobs } = clusteredVectors(600, 16, 5, 1);
  const request = {
    method: 'umap',
    params: { neighbours: 15, minDist: 0.1, metric: 'euclidean', seed: 7, epochs: 150 },
  } as const;
  const stages = new Set<string>();
  const a = await project(vectors, dim, request, { progress: (p) => stages.add(p.stage) });
  const b = await project(vectors, dim, request);
  assert.ok(purity(a, blobs) > 0.9, `purity ${purity(a, blobs)}`);
  assert.deepEqual(a, b);
  assert.deepEqual([...stages], ['neighbours', 'layout']);
  const other = await project(vectors, dim, { ...request, params: { ...request.params, seed: 8 } });
  assert.notDeepEqual(a, other);
});

test('t-SNE keeps separated blobs apart and repeats itself from the seed', async () => {
  const { vectors, dim, blobs } = clusteredVectors(300, 16, 4, 2);
  const request = {
    method: 'tsne',
    params: { perplexity: 20, iterations: 300, metric: 'cosine', seed: 3 },
  } as const;
  const a = await project(vectors, dim, request);
  const b = await project(vectors, dim, request);
  assert.ok(purity(a, blobs) > 0.9, `purity ${purity(a, blobs)}`);
  assert.deepEqual(a, b);
});

test('a cancelled UMAP stops with an error', async () => {
  const { vectors, dim } = clusteredVectors(400, 8, 3, 1);
  const controller = new AbortController();
  await assert.rejects(
    project(
      vectors,
      dim,
      { method: 'umap', params: { neighbours: 10, minDist: 0.1, metric: 'cosine', seed: 1 } },
      {
        signal: controller.signal,
        progress: (p) => p.stage === 'layout' && controller.abort(),
      },
    ),
    /cancelled/,
  );
});

test('k-means, Louvain and HDBSCAN recover planted blobs', () => {
  const { vectors, dim, blobs } = clusteredVectors(1500, 24, 6, 4);
  const kmeans = cluster(vectors, dim, { method: 'kmeans', params: { seed: 1 } });
  assert.equal(kmeans.chosen.k, 6, 'suggested k');
  assert.ok(ari(kmeans.clusters, blobs) > 0.9);
  const communities = cluster(vectors, dim, {
    method: 'louvain',
    params: { neighbours: 15, resolution: 1, seed: 1 },
  });
  assert.ok(ari(communities.clusters, blobs) > 0.9, `Louvain ARI ${ari(communities.clusters, blobs)}`);
  const density = cluster(vectors, dim, {
    method: 'hdbscan',
    params: { minClusterSize: 20, minSamples: 5, neighbours: 15 },
  });
  // noise as a cluster of its own, so ARI counts it against the planted blobs
  const withNoise = density.clusters.map((c) => (c < 0 ? 6 : c));
  assert.ok(
    ari(withNoise, blobs) > 0.9,
    `HDBSCAN ARI ${ari(withNoise, blobs)}, ${JSON.stringify(density.chosen)}`,
  );
});

test('the HNSW index finds at least 90% of the exact 10 nearest neighbours of random vectors', () => {
  const random = seededRandom(5);
  const dim = 32;
  const n = 10000;
  const vectors = Float32Array.from({ length: n * dim }, () => random() - 0.5);
  // 200 rows spread over the whole matrix (97 is coprime with n, so no row repeats)
  const queries = Int32Array.from({ length: 200 }, (_, i) => (i * 97) % n);
  for (const metric of ['cosine', 'dot'] as const) {
    const exact = exactNeighbours(vectors, dim, metric, 10, queries, true);
    const approximate = new ApproximateIndex(vectors, dim, metric).search(queries, 10, true);
    let hits = 0;
    for (let q = 0; q < queries.length; q++) {
      const truth = new Set(exact.rows.subarray(q * 10, q * 10 + 10));
      for (const r of approximate.rows.subarray(q * 10, q * 10 + 10)) if (truth.has(r)) hits++;
    }
    const recall = hits / (queries.length * 10);
    assert.ok(recall >= 0.9, `${metric} recall@10 ${recall}`);
  }
});

test('a query row outside the matrix is refused, not answered with an empty or zero-vector list', () => {
  const vectors = Float32Array.from({ length: 6000 * 4 }, (_, i) => Math.sin(i));
  const outside = Int32Array.of(0, 6000);
  assert.throws(() => exactNeighbours(vectors, 4, 'cosine', 5, outside, true), /query 1 asks for row 6000/);
  assert.throws(
    () => new ApproximateIndex(vectors, 4, 'cosine').search(outside, 5, true),
    /query 1 asks for row 6000/,
  );
});

test('c-TF-IDF and label shares name what was planted in each cluster', () => {
  const clusters = Int32Array.from({ length: 60 }, (_, i) => i % 3);
  const planted = ['graph neural', 'protein folding', 'image segmentation'];
  const texts = Array.from(
    clusters,
    (c, i) => `${planted[c]} study of ${['models', 'methods', 'data', 'tools', 'results'][i % 5]}`,
  );
  const labels = labelClusters({
    clusters,
    texts,
    types: Array.from(clusters, () => 'paper'),
    classes: Array.from(clusters, (c, i) => (i % 10 === 0 ? 'other' : `field${c}`)),
  });
  for (const label of labels) {
    assert.deepEqual(
      label.terms
        .slice(0, 2)
        .map((t) => t.term)
        .sort(),
      planted[label.cluster].split(' ').sort(),
    );
    assert.equal(label.classes[0].value, `field${label.cluster}`);
    assert.equal(label.types[0].share, 1);
  }
});
