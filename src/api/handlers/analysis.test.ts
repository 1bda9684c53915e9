import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { clusteredVectors } from '../../analysis/clustered-vectors.ts';
import { ari } from '../../eval/clustering-metrics.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { dispatch } from '../dispatcher.ts';
import type { ApiError } from '../schema/errors.ts';

const topics = ['graph neural', 'protein folding', 'image segmentation', 'speech recognition'];

/** A network of 400 papers in 4 planted topics (titles, class labels) and a run whose vectors are 4 blobs. */
function fixture(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-analysis-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const workspace = join(dir, 'ws.constellation');
  const ws = openWorkspace(workspace);
  const { vectors, dim, blobs } = clusteredVectors(400, 16, 4, 3);
  const session = ws.beginImport({ name: 'papers', kind: 'network', source: { format: 'test', paths: [] } });
  session.addEntities(
    'paper',
    Array.from(blobs, (b, i) => ({
      key: `p${i}`,
      label: `${topics[b]} with ${['models', 'methods', 'data', 'tools', 'results'][i % 5]}`,
      classLabel: `field${b}`,
    })),
  );
  session.relationType('cites', 'paper', 'paper');
  session.addRelations('cites', [0], [1]);
  const dataset = session.commit();
  const run = ws.runs.create({
    datasetId: dataset.id,
    model: 'metapath2vec',
    config: {},
    seed: 0,
    device: 'cpu',
    codeVersion: 'test',
  });
  const ids = ws.entities.ids(ws.entities.type(dataset.id, 'paper')!.id);
  ws.embeddings.put(run.id, { entityIds: ids, dim, vectors });
  ws.close();
  return { workspace, run: run.id, blobs };
}

test('projections, clusterings, labels and neighbours round-trip through the dispatcher and are cached', async (t) => {
  const { workspace, run, blobs } = fixture(t);
  const events: string[] = [];
  const first = await dispatch(
    'projection.compute',
    { run, method: 'umap', params: { neighbours: 10, seed: 4, epochs: 100 } },
    { workspace, onProgress: (e) => events.push(e.stage) },
  );
  assert.equal(first.cached, false);
  assert.equal(first.points, 400);
  assert.ok(events.includes('layout'));
  assert.deepEqual(first.projection.params, {
    neighbours: 10,
    minDist: 0.1,
    metric: 'cosine',
    epochs: 100,
    seed: 4,
  });
  // same parameters in another order, defaults spelled out: the stored projection comes back
  const again = await dispatch(
    'projection.compute',
    { run, method: 'umap', params: { seed: 4, epochs: 100, metric: 'cosine', neighbours: 10 } },
    { workspace },
  );
  assert.equal(again.cached, true);
  assert.equal(again.projection.id, first.projection.id);
  const pca = await dispatch('projection.compute', { run, method: 'pca' }, { workspace });
  assert.notEqual(pca.projection.id, first.projection.id);

  const page = await dispatch(
    'projection.get',
    { id: first.projection.id, offset: 390, limit: 50 },
    { workspace },
  );
  assert.equal(page.total, 400);
  assert.equal(page.keys.length, 10);
  assert.deepEqual(page.keys[0], 'p390');
  assert.equal(page.types[0], 'paper');
  assert.equal(page.classes[0], `field${blobs[390]}`);
  assert.ok(page.x.every(Number.isFinite) && page.y.length === 10);
  assert.deepEqual(page.degrees, new Array(10).fill(0));
  const first3 = await dispatch('projection.get', { id: pca.projection.id, limit: 3 }, { workspace });
  assert.deepEqual(first3.keys, ['p0', 'p1', 'p2']);
  assert.deepEqual(first3.degrees, [1, 1, 0], 'p0 cites p1: one relation touches each');

  const clustering = await dispatch('clustering.compute', { run, method: 'kmeans' }, { workspace });
  assert.equal(clustering.chosen.k, 4);
  const cachedClustering = await dispatch('clustering.compute', { run, method: 'kmeans' }, { workspace });
  assert.equal(cachedClustering.cached, true);
  assert.deepEqual(cachedClustering.chosen, { k: 4 });
  const stored = await dispatch('clustering.get', { id: clustering.clustering.id }, { workspace });
  assert.ok(ari(Int32Array.from(stored.clusters), blobs) > 0.99);

  const described = await dispatch('clusters.describe', { id: clustering.clustering.id }, { workspace });
  assert.equal(described.clusters.length, 4);
  for (const c of described.clusters) {
    const field = Number(c.classes[0].value.slice('field'.length));
    assert.equal(c.classes[0].share, 1);
    assert.deepEqual(
      c.terms
        .slice(0, 2)
        .map((w) => w.term)
        .sort(),
      topics[field].split(' ').sort(),
    );
  }

  const listed = await dispatch('analyses.list', { run }, { workspace });
  assert.equal(listed.projections.length, 2);
  assert.equal(listed.clusterings.length, 1);

  const near = await dispatch('neighbours.query', { run, entity: 'p0', k: 5 }, { workspace });
  assert.equal(near.neighbours.length, 5);
  assert.ok(near.neighbours.every((n) => blobs[Number(n.key.slice(1))] === blobs[0]));
  assert.ok(near.neighbours[0].similarity >= near.neighbours[4].similarity);
});

test('analysis commands refuse what the workspace cannot answer, by name', async (t) => {
  const { workspace, run } = fixture(t);
  await assert.rejects(
    dispatch('projection.compute', { run: run + 5, method: 'pca' }, { workspace }),
    (e: ApiError) => {
      assert.equal(e.code, 'refused');
      assert.match(e.message, /no run with id/);
      return true;
    },
  );
  await assert.rejects(
    dispatch('neighbours.query', { run, entity: 'nobody' }, { workspace }),
    (e: ApiError) => e.code === 'refused' && /nobody/.test(e.message),
  );
  await assert.rejects(
    dispatch('projection.compute', { run, method: 'umap', params: { neighbors: 5 } as never }, { workspace }),
    (e: ApiError) => e.code === 'invalid-input',
  );
});
