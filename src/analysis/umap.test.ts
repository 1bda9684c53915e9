import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusteredVectors } from './clustered-vectors.ts';
import { exactNeighbours } from './nearest-neighbours.ts';
import { pcaProjection } from './pca.ts';
import { fitCurve, fuzzyUnion, memberships, umap } from './umap.ts';

/** Share of each point's 10 nearest points (in `dim` dimensions) that come from its own blob. */
function purity(points: Float32Array, dim: number, blobs: Int32Array): number {
  const all = Int32Array.from(blobs.keys());
  const { rows, k } = exactNeighbours(points, dim, 'euclidean', 10, all, true);
  let same = 0;
  for (let i = 0; i < blobs.length; i++)
    for (let j = 0; j < k; j++) if (blobs[rows[i * k + j]] === blobs[i]) same++;
  return same / (blobs.length * k);
}

test("a and b match umap-learn's find_ab_params", () => {
  // umap-learn 0.5: min_dist 0.1 -> (1.5769, 0.8951), 0.001 -> (1.9290, 0.7915), spread 1
  const near = fitCurve(0.1);
  assert.ok(Math.abs(near.a - 1.5769) < 1e-3 && Math.abs(near.b - 0.8951) < 1e-3, JSON.stringify(near));
  const tight = fitCurve(0.001);
  assert.ok(Math.abs(tight.a - 1.929) < 1e-3 && Math.abs(tight.b - 0.7915) < 1e-3, JSON.stringify(tight));
});

test('memberships sum to log2(neighbours) per point and the fuzzy union joins them as a + b - ab', () => {
  // 4 points on a line at 0, 1, 3, 6; each lists the other three, closest first
  const at = [0, 1, 3, 6];
  const k = 3;
  const rows = new Int32Array(4 * k);
  const distances = new Float32Array(4 * k);
  at.forEach((x, r) => {
    const others = [0, 1, 2, 3]
      .filter((o) => o !== r)
      .sort((p, q) => Math.abs(at[p] - x) - Math.abs(at[q] - x));
    others.forEach((o, j) => {
      rows[r * k + j] = o;
      distances[r * k + j] = Math.abs(at[o] - x);
    });
  });
  const lists = { k, rows, distances };
  const directed = memberships(lists, 4);
  for (let r = 0; r < 4; r++) {
    const sum = directed[r * k] + directed[r * k + 1] + directed[r * k + 2];
    assert.ok(Math.abs(sum - Math.log2(4)) < 1e-4, `point ${r}: ${sum}`);
    // the nearest neighbour is fully a member
    assert.equal(directed[r * k], 1);
  }
  const member = (u: number, v: number) => directed[u * k + rows.subarray(u * k, u * k + k).indexOf(v)];
  const { head, tail, weight } = fuzzyUnion(lists, directed);
  // all 6 pairs, in both directions, grouped by head
  assert.equal(head.length, 12);
  assert.ok(head.every((h, e) => e === 0 || head[e - 1] <= h));
  for (let e = 0; e < head.length; e++) {
    const [u, v] = [head[e], tail[e]];
    const expected = member(u, v) + member(v, u) - member(u, v) * member(v, u);
    assert.ok(Math.abs(weight[e] - expected) < 1e-6, `${u}-${v}: ${weight[e]} vs ${expected}`);
  }
});

test('UMAP separates planted clusters that PCA overlaps, and repeats itself on one thread', async () => {
  // blob centres only one noise width apart: the 2-D PCA mixes them, the kNN graph does not
  const { vectors, dim, blobs } = clusteredVectors(1500, 32, 10, 3, 1);
  const params = {
    neighbours: 15,
    minDist: 0.1,
    metric: 'euclidean',
    seed: 1,
    threads: 1,
    epochs: 150,
  } as const;
  const stages: string[] = [];
  let lastLayout = 0;
  const a = await umap(vectors, dim, params, {
    progress: (p) => {
      if (stages.at(-1) !== p.stage) stages.push(p.stage);
      if (p.stage === 'layout') {
        assert.ok(p.done >= lastLayout && p.total === 150);
        lastLayout = p.done;
      }
    },
  });
  assert.deepEqual(stages, ['neighbours', 'layout']);
  assert.equal(lastLayout, 150);
  const pca = purity(pcaProjection(vectors, dim), 2, blobs);
  const found = purity(a, 2, blobs);
  assert.ok(found > 0.9 && found > pca + 0.2, `UMAP purity ${found}, PCA ${pca}`);
  assert.deepEqual(await umap(vectors, dim, params), a);
  assert.notDeepEqual(await umap(vectors, dim, { ...params, seed: 2 }), a);
});

test('UMAP on two layout threads (a graph above 200k edges) separates the clusters too', async () => {
  const { vectors, dim, blobs } = clusteredVectors(12000, 16, 8, 5, 2);
  const xy = await umap(vectors, dim, {
    neighbours: 15,
    minDist: 0.1,
    metric: 'cosine',
    seed: 3,
    threads: 2,
    epochs: 40,
  });
  assert.equal(xy.length, 24000);
  assert.ok(xy.every(Number.isFinite));
  const sample = Int32Array.from({ length: 1500 }, (_, i) => i * 8);
  const points = new Float32Array(sample.length * 2);
  sample.forEach((r, i) => {
    points.set(xy.subarray(2 * r, 2 * r + 2), 2 * i);
  });
  const found = purity(
    points,
    2,
    Int32Array.from(sample, (r) => blobs[r]),
  );
  assert.ok(found > 0.9, `purity ${found}`);
});

test('a cancelled two-thread UMAP stops with an AbortError', async () => {
  const { vectors, dim } = clusteredVectors(12000, 16, 8, 5, 2);
  const controller = new AbortController();
  await assert.rejects(
    umap(
      vectors,
      dim,
      { neighbours: 15, minDist: 0.1, metric: 'cosine', seed: 3, threads: 2, epochs: 200 },
      { signal: controller.signal, progress: (p) => p.stage === 'layout' && controller.abort() },
    ),
    (error: Error) => error.name === 'AbortError',
  );
});

test('UMAP refuses too few points and a thread count below 1', async () => {
  const { vectors, dim } = clusteredVectors(10, 4, 2, 1);
  const params = { neighbours: 15, minDist: 0.1, metric: 'cosine', seed: 0 } as const;
  await assert.rejects(umap(vectors, dim, params), {
    name: 'ProjectionError',
    message: /needs more than 10 points/,
  });
  await assert.rejects(umap(vectors, dim, { ...params, neighbours: 5, threads: 0 }), {
    name: 'ProjectionError',
    message: /threads must be a whole number/,
  });
});
