import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import {
  benchImport,
  DatasetNameTaken,
  DuplicateEntityKey,
  type ImportSession,
  openWorkspace,
  schemaVersion,
  type Workspace,
  WorkspaceError,
} from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'constellation-workspace-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newPath = () => join(dir, `w${files++}.constellation`);

/** Everything a file holds: schema, version and every row of every table (BLOBs as hex). */
function dump(path: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    const master = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name').all();
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
    const rows: Record<string, unknown[]> = {};
    for (const table of tables) {
      rows[table] = db
        .prepare(`SELECT * FROM "${table}" ORDER BY 1, 2`)
        .raw()
        .all()
        .map((row) => (row as unknown[]).map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
    }
    return { version: db.pragma('user_version', { simple: true }), master, rows };
  } finally {
    db.close();
  }
}

/** A small interaction log: users a, b, c; ties in time keep file order. */
function importLog(workspace: Workspace, name = 'log'): ImportSession {
  const session = workspace.beginImport({
    name,
    kind: 'interactions',
    source: { format: 'csv', paths: ['log.csv'] },
  });
  session.relationType('interacted', 'user', 'item');
  const events: [string, string, number][] = [
    ['a', 'x', 30],
    ['b', 'y', 5],
    ['a', 'y', 10],
    ['a', 'z', 10],
    ['c', 'x', Number.NaN],
    ['a', 'w', 20],
  ];
  const users = events.map(([u]) => session.ensureEntity('user', u));
  const items = events.map(([, i]) => session.ensureEntity('item', i));
  session.addRelations(
    'interacted',
    users,
    items,
    events.map(([, , t]) => t),
  );
  return session;
}

describe('opening', () => {
  test('an empty file is migrated to the current schema, and reopening changes nothing', () => {
    const path = newPath();
    openWorkspace(path).close();
    const first = dump(path) as { version: number; master: { name: string }[] };
    assert.equal(first.version, schemaVersion);
    const tables = first.master.map((m) => m.name);
    for (const table of ['datasets', 'entities', 'relations', 'media', 'runs', 'embeddings', 'projections']) {
      assert.ok(tables.includes(table), table);
    }
    const workspace = openWorkspace(path);
    importLog(workspace).commit();
    workspace.close();
    const withData = dump(path);
    openWorkspace(path).close();
    assert.deepEqual(dump(path), withData);
  });

  test('read-only refuses every write, and a missing file', () => {
    const path = newPath();
    const writer = openWorkspace(path);
    const dataset = importLog(writer).commit();
    writer.close();
    const reader = openWorkspace(path, { readonly: true });
    try {
      assert.equal(reader.datasets.list().length, 1);
      assert.throws(
        () => reader.beginImport({ name: 'x', kind: 'network', source: { format: 'edges', paths: [] } }),
        /read-only/,
      );
      assert.throws(
        () =>
          reader.runs.create({
            datasetId: dataset.id,
            model: 'm',
            config: {},
            seed: 1,
            device: 'cpu',
            codeVersion: 'v',
          }),
        WorkspaceError,
      );
      assert.throws(() => reader.datasets.delete(dataset.id), /read-only/);
    } finally {
      reader.close();
    }
    assert.throws(
      () => openWorkspace(join(dir, 'absent.constellation'), { readonly: true }),
      /no such workspace/,
    );
  });
});

describe('runs left running', () => {
  const runIn = (workspace: Workspace) =>
    workspace.runs.create({
      datasetId: importLog(workspace).commit().id,
      model: 'vit',
      config: {},
      seed: 1,
      device: 'cpu',
      codeVersion: 'v',
    }).id;

  test("a run whose process ended while training it is cancelled on the next open, saying so; a live process's run is left running", () => {
    const path = newPath();
    const workspace = openWorkspace(path);
    const abandoned = runIn(workspace);
    const live = workspace.runs.create({ ...workspace.runs.get(abandoned)!, config: {} }).id;
    workspace.runs.setStatus(live, 'running');
    // another process marks the first run running and exits without finishing it, as a killed one would
    const trainer = `
      import { openWorkspace } from ${JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)))};
      const workspace = openWorkspace(process.argv[1]);
      workspace.runs.setStatus(Number(process.argv[2]), 'running');
      console.log(process.pid);
      process.exit(0);`;
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', trainer, path, String(abandoned)],
      { encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    const pid = Number(child.stdout.trim());
    assert.equal(workspace.runs.get(abandoned)!.status, 'running');
    workspace.close();

    const reopened = openWorkspace(path);
    try {
      const run = reopened.runs.get(abandoned)!;
      assert.equal(run.status, 'cancelled');
      assert.equal(
        run.error,
        `interrupted: the process training it (pid ${pid}) ended without finishing it (killed or crashed); resume it from its last checkpoint`,
      );
      assert.ok(run.finishedAt !== null);
      assert.equal(reopened.runs.get(live)!.status, 'running');
      assert.deepEqual(reopened.runs.releaseAbandoned(), []);
      // a status other than running clears the owner: a finished run is never released
      reopened.runs.setStatus(live, 'done');
      assert.deepEqual(reopened.runs.releaseAbandoned(), []);
    } finally {
      reopened.close();
    }
  });

  test('a file of schema version 1 read first by a reading command is migrated, its data kept', () => {
    const path = newPath();
    const workspace = openWorkspace(path);
    const run = runIn(workspace);
    workspace.close();
    // back to version 1: the runs table without its owner columns
    const db = new Database(path);
    db.exec('ALTER TABLE runs DROP COLUMN owner_host; ALTER TABLE runs DROP COLUMN owner_pid');
    db.pragma('user_version = 1');
    db.close();
    const reader = openWorkspace(path, { readonly: true });
    try {
      assert.equal(reader.runs.get(run)!.model, 'vit');
      assert.equal(reader.datasets.list().length, 1);
    } finally {
      reader.close();
    }
    assert.equal((dump(path) as { version: number }).version, schemaVersion);
  });
});

describe('import', () => {
  test('commit makes the dataset visible with its stats, entities and relations', () => {
    const workspace = openWorkspace(newPath());
    try {
      const session = importLog(workspace);
      session.addEntities('item', [
        { key: 'v', label: 'Vee', attributes: { year: 1999 }, classLabel: 'drama' },
      ]);
      const dataset = session.commit();
      assert.deepEqual(dataset.stats, {
        entities: { user: 3, item: 5 },
        relations: { interacted: 6 },
        interactions: {
          users: 3,
          items: 4,
          interactions: 6,
          sequenceLength: { min: 1, median: 1, mean: 2, max: 4 },
          hasTime: true,
        },
        classes: { drama: 1 },
        labelled: { item: 1 },
      });
      assert.deepEqual(workspace.datasets.list(), [dataset]);
      assert.deepEqual(workspace.datasets.byName('log'), dataset);

      const [user, item] = workspace.entities.types(dataset.id);
      assert.deepEqual([user.name, user.count, item.name, item.count], ['user', 3, 'item', 5]);
      const page = workspace.entities.page(item.id, 0);
      assert.equal(page.total, 5);
      assert.deepEqual(
        page.rows.map((e) => [e.index, e.key]),
        [
          [0, 'x'],
          [1, 'y'],
          [2, 'z'],
          [3, 'w'],
          [4, 'v'],
        ],
      );
      assert.deepEqual(workspace.entities.byKey(item.id, 'v'), {
        ...page.rows[4],
        label: 'Vee',
        classLabel: 'drama',
        attributes: { year: 1999 },
      });
      assert.deepEqual(workspace.entities.keys(user.id), ['a', 'b', 'c']);

      const [interacted] = workspace.entities.relationTypes(dataset.id);
      assert.deepEqual(
        { ...interacted, id: 0 },
        { id: 0, name: 'interacted', sourceType: 'user', targetType: 'item', count: 6 },
      );
      const arrays = workspace.relations.arrays(interacted.id);
      assert.deepEqual([...arrays.source], [0, 1, 0, 0, 2, 0]);
      assert.deepEqual([...arrays.target], [0, 1, 1, 2, 0, 3]);
      assert.deepEqual([...arrays.time!], [30, 5, 10, 10, Number.NaN, 20]);
      assert.equal(arrays.weight, null);

      // a: y@10 and z@10 tie and keep file order, then w@20, x@30
      const sequences = workspace.relations.sequences(interacted.id);
      assert.deepEqual([...sequences.users], [0, 1, 2]);
      assert.deepEqual([...sequences.offsets], [0, 4, 5, 6]);
      assert.deepEqual([...sequences.items], [1, 2, 3, 0, 1, 0]);
      assert.deepEqual([...sequences.times], [10, 10, 20, 30, 5, Number.NaN]);

      // describe: any order, repeats allowed; an unknown id is named
      const userIds = workspace.entities.ids(user.id);
      const itemIds = workspace.entities.ids(item.id);
      assert.deepEqual(workspace.entities.describe([itemIds[4], userIds[1], itemIds[4], userIds[0]]), {
        keys: ['v', 'b', 'v', 'a'],
        types: ['item', 'user', 'item', 'user'],
        labels: ['Vee', null, 'Vee', null],
        classes: ['drama', null, 'drama', null],
      });
      assert.throws(() => workspace.entities.describe([userIds[0], 9999]), /entity id 9999 is not an entity/);
      assert.deepEqual(workspace.entities.attributeNames(dataset.id), ['year']);
      // streamed: every entity with its type, every relation with both keys, as GEXF export reads them
      const nodes = [...workspace.entities.nodes(dataset.id)];
      assert.deepEqual(
        nodes.map((n) => `${n.type}:${n.key}`),
        ['user:a', 'user:b', 'user:c', 'item:x', 'item:y', 'item:z', 'item:w', 'item:v'],
      );
      assert.deepEqual(nodes.at(-1), {
        type: 'item',
        key: 'v',
        label: 'Vee',
        classLabel: 'drama',
        attributes: { year: 1999 },
      });
      const edges = [...workspace.relations.edges(dataset.id)];
      assert.deepEqual(
        edges.map((e) => [
          e.relation,
          e.sourceType,
          e.sourceKey,
          e.targetType,
          e.targetKey,
          e.time,
          e.weight,
        ]),
        [
          ['interacted', 'user', 'a', 'item', 'x', 30, null],
          ['interacted', 'user', 'b', 'item', 'y', 5, null],
          ['interacted', 'user', 'a', 'item', 'y', 10, null],
          ['interacted', 'user', 'a', 'item', 'z', 10, null],
          ['interacted', 'user', 'c', 'item', 'x', null, null],
          ['interacted', 'user', 'a', 'item', 'w', 20, null],
        ],
      );

      assert.deepEqual(workspace.relations.sample(dataset.id, 2), [
        { relationType: 'interacted', source: 'a', target: 'x', time: 30, weight: null },
        { relationType: 'interacted', source: 'b', target: 'y', time: 5, weight: null },
      ]);
    } finally {
      workspace.close();
    }
  });

  test('media become entities with their bytes, class counts and a shape summary', () => {
    const workspace = openWorkspace(newPath());
    try {
      const session = workspace.beginImport({
        name: 'digits',
        kind: 'images',
        source: { format: 'folder', paths: ['d'] },
      });
      session.addEntities('image', [{ key: 'a.png', classLabel: '1' }]);
      const pixel = (v: number) => Uint8Array.of(v, v, v, v);
      session.addMedia('image', [
        { key: 'a.png', bytes: pixel(1), encoding: 'raw-u8', width: 2, height: 2, channels: 1, frames: 1 },
        {
          key: 'b.png',
          bytes: pixel(2),
          encoding: 'raw-u8',
          width: 2,
          height: 2,
          channels: 1,
          frames: 1,
          classLabel: '7',
        },
      ]);
      assert.throws(
        () =>
          session.addMedia('image', [
            {
              key: 'b.png',
              bytes: pixel(3),
              encoding: 'raw-u8',
              width: 2,
              height: 2,
              channels: 1,
              frames: 1,
            },
          ]),
        /one media per entity/,
      );
      const dataset = session.commit();
      assert.deepEqual(dataset.stats, {
        entities: { image: 2 },
        relations: {},
        classes: { '1': 1, '7': 1 },
        labelled: { image: 2 },
        media: { count: 2, width: 2, height: 2, channels: 1, frames: 1 },
      });
      const page = workspace.media.page(dataset.id, 0);
      assert.equal(page.total, 2);
      assert.deepEqual(
        page.rows.map((m) => [m.key, m.index, m.classLabel, [...m.bytes]]),
        [
          ['a.png', 0, '1', [1, 1, 1, 1]],
          ['b.png', 1, '7', [2, 2, 2, 2]],
        ],
      );
    } finally {
      workspace.close();
    }
  });

  test('rollback and a failed commit leave the file exactly as before', () => {
    const path = newPath();
    const workspace = openWorkspace(path);
    try {
      importLog(workspace, 'kept').commit();
      const before = dump(path);

      const rolledBack = importLog(workspace, 'dropped');
      rolledBack.addEntities('author', [{ key: 'k' }]);
      rolledBack.rollback();
      assert.deepEqual(dump(path), before);

      // an error thrown by the importer midway: the caller rolls back
      const failed = importLog(workspace, 'failed');
      assert.throws(() => failed.addRelations('interacted', [0], [99]), /target 99 is not a item id/);
      failed.rollback();
      assert.deepEqual(dump(path), before);

      // closing the workspace with an import open rolls it back too
      importLog(workspace, 'abandoned');
    } finally {
      workspace.close();
    }
    const reopened = openWorkspace(path);
    assert.deepEqual(
      reopened.datasets.list().map((d) => d.name),
      ['kept'],
    );
    reopened.close();
  });

  test('notes are stored with the stats at commit, the first thousand kept and the rest counted', () => {
    const workspace = openWorkspace(newPath());
    try {
      const session = importLog(workspace);
      session.note({ action: 'skipped', file: '/data/a.png', problem: 'not a readable image' });
      session.note({ action: 'skipped', file: '/data/log.csv', line: 7, problem: 'bad time' });
      const dataset = session.commit();
      assert.deepEqual(dataset.stats.notes, [
        { action: 'skipped', file: '/data/a.png', problem: 'not a readable image' },
        { action: 'skipped', file: '/data/log.csv', line: 7, problem: 'bad time' },
      ]);
      assert.equal(dataset.stats.notesOmitted, undefined);
      assert.deepEqual(workspace.datasets.byName('log')!.stats.notes, dataset.stats.notes);

      const many = importLog(workspace, 'many');
      for (let i = 0; i < 1005; i++) many.note({ action: 'skipped', file: `${i}.png`, problem: 'broken' });
      const stats = many.commit().stats;
      assert.equal(stats.notes!.length, 1000);
      assert.equal(stats.notes!.at(-1)!.file, '999.png');
      assert.equal(stats.notesOmitted, 5);
      assert.throws(() => many.note({ action: 'skipped', file: 'late', problem: 'x' }), /session is closed/);
    } finally {
      workspace.close();
    }
  });

  test('a refused relation batch writes none of its rows', () => {
    const workspace = openWorkspace(newPath());
    try {
      const session = importLog(workspace);
      assert.throws(
        () => session.addRelations('interacted', [0, 1, 7], [0, 1, 1]),
        /source 7 is not a user id/,
      );
      const dataset = session.commit();
      assert.equal(dataset.stats.relations.interacted, 6);
      assert.equal(dataset.stats.interactions?.interactions, 6);
      const [interacted] = workspace.entities.relationTypes(dataset.id);
      assert.equal(workspace.relations.arrays(interacted.id).source.length, 6);
    } finally {
      workspace.close();
    }
  });

  test('a taken name and a repeated key are clear errors, and the workspace is unchanged', () => {
    const path = newPath();
    const workspace = openWorkspace(path);
    try {
      importLog(workspace, 'log').commit();
      const before = dump(path);
      assert.throws(() => importLog(workspace, 'log'), DatasetNameTaken);
      const session = workspace.beginImport({
        name: 'net',
        kind: 'network',
        source: { format: 'edges', paths: [] },
      });
      session.addEntities('author', [{ key: 'ann' }, { key: 'bob' }]);
      assert.throws(
        () => session.addEntities('author', [{ key: 'bob' }]),
        (error: unknown) =>
          error instanceof DuplicateEntityKey &&
          error.key === 'bob' &&
          /duplicate author key "bob"/.test(error.message),
      );
      session.rollback();
      assert.deepEqual(dump(path), before);
    } finally {
      workspace.close();
    }
  });

  test('another process reading during an import sees the old state, then the new one after commit', () => {
    const path = newPath();
    const workspace = openWorkspace(path);
    const reader = `
      import { openWorkspace } from ${JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)))};
      const workspace = openWorkspace(process.argv[1], { readonly: true });
      const datasets = workspace.datasets.list();
      const relations = datasets.flatMap((d) => workspace.entities.relationTypes(d.id)).reduce((n, r) => n + r.count, 0);
      console.log(JSON.stringify({ datasets: datasets.map((d) => d.name), relations }));
      workspace.close();`;
    const read = () => {
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', reader, path],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(child.status, 0, child.stderr);
      return JSON.parse(child.stdout);
    };
    try {
      importLog(workspace, 'old').commit();
      const session = workspace.beginImport({
        name: 'new',
        kind: 'network',
        source: { format: 'edges', paths: [] },
      });
      session.relationType('cites', 'paper', 'paper');
      const n = 20_000;
      const ids = new Int32Array(n);
      for (let i = 0; i < n; i++) ids[i] = session.ensureEntity('paper', `p${i}`);
      session.addRelations(
        'cites',
        ids,
        ids.map((i) => (i + 1) % n),
      );
      assert.deepEqual(read(), { datasets: ['old'], relations: 6 });
      // the workspace's own connection does not see the import either
      assert.deepEqual(
        workspace.datasets.list().map((d) => d.name),
        ['old'],
      );
      session.commit();
      assert.deepEqual(read(), { datasets: ['old', 'new'], relations: 6 + n });
    } finally {
      workspace.close();
    }
  });

  test('deleting a dataset removes everything that belongs to it, runs included', () => {
    const path = newPath();
    const workspace = openWorkspace(path);
    try {
      importLog(workspace, 'kept').commit();
      const before = dump(path);
      const doomed = importLog(workspace, 'doomed').commit();
      const run = workspace.runs.create({
        datasetId: doomed.id,
        model: 'bert4rec',
        config: {},
        seed: 1,
        device: 'cpu',
        codeVersion: 'test',
      });
      const items = workspace.entities.ids(workspace.entities.type(doomed.id, 'item')!.id);
      workspace.runs.appendMetrics(run.id, [{ name: 'loss', step: 1, value: 2 }]);
      workspace.runs.addCheckpoint(run.id, 1, { data: Uint8Array.of(1, 2) });
      workspace.embeddings.put(run.id, { entityIds: items, dim: 1, vectors: new Float32Array(items.length) });
      workspace.analyses.putProjection(run.id, 'pca', {}, items, new Float32Array(items.length * 2));
      workspace.analyses.putClustering(run.id, 'kmeans', { k: 2 }, items, new Int32Array(items.length));
      assert.equal(workspace.datasets.delete(doomed.id), true);
      const after = dump(path) as { rows: Record<string, unknown[]> };
      const expected = before as { rows: Record<string, unknown[]> };
      // sqlite_sequence-free schema: only ids differ from `before`, and there are none left of the deleted one
      assert.deepEqual(
        Object.fromEntries(Object.entries(after.rows).map(([t, rows]) => [t, rows.length])),
        Object.fromEntries(Object.entries(expected.rows).map(([t, rows]) => [t, rows.length])),
      );
    } finally {
      workspace.close();
    }
  });
});

describe('runs', () => {
  test('runs, metrics, checkpoints, embeddings, projections and clusterings round-trip', () => {
    const workspace = openWorkspace(newPath());
    try {
      const dataset = importLog(workspace).commit();
      const run = workspace.runs.create({
        datasetId: dataset.id,
        model: 'bert4rec',
        config: { layers: 2, hidden: 64 },
        seed: 42,
        device: 'cpu',
        codeVersion: 'abc123',
      });
      assert.equal(run.status, 'queued');
      assert.deepEqual(run.config, { layers: 2, hidden: 64 });
      const running = workspace.runs.setStatus(run.id, 'running');
      assert.ok(running.startedAt !== null && running.finishedAt === null);
      workspace.runs.appendMetrics(run.id, [
        { name: 'loss', step: 1, value: 3.5 },
        { name: 'loss', step: 2, value: 2.25 },
        { name: 'ndcg@10', step: 2, value: 0.125 },
      ]);
      workspace.runs.appendMetrics(run.id, [{ name: 'loss', step: 2, value: 2 }]);
      workspace.runs.addSeconds(run.id, 1.5);
      const done = workspace.runs.setStatus(run.id, 'done');
      assert.ok(done.finishedAt !== null);
      assert.equal(done.seconds, 1.5);
      const metrics = workspace.runs.metrics(run.id);
      assert.deepEqual([...metrics.loss.steps], [1, 2]);
      assert.deepEqual([...metrics.loss.values], [3.5, 2]);
      assert.deepEqual(workspace.runs.list(dataset.id)[0].metrics, { loss: 2, 'ndcg@10': 0.125 });

      const blob = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
      workspace.runs.addCheckpoint(run.id, 2, { data: blob });
      workspace.runs.addCheckpoint(run.id, 1, { path: '/tmp/step1.onnx' });
      const checkpoints = workspace.runs.checkpoints(run.id);
      assert.deepEqual(
        checkpoints.map((c) => [c.step, c.path]),
        [
          [1, '/tmp/step1.onnx'],
          [2, null],
        ],
      );
      assert.deepEqual(checkpoints[1].data, blob);

      const ids = workspace.entities.ids(workspace.entities.type(dataset.id, 'item')!.id);
      const dim = 3;
      const vectors = new Float32Array(ids.length * dim);
      const special = [-0, Number.POSITIVE_INFINITY, 1e-45, Math.PI, -1.5e38, Number.NaN];
      for (let k = 0; k < vectors.length; k++) vectors[k] = special[k % special.length] * (k + 1);
      workspace.embeddings.put(run.id, { entityIds: ids, dim, vectors });
      const stored = workspace.embeddings.get(run.id)!;
      assert.deepEqual([...stored.entityIds], [...ids]);
      assert.equal(stored.dim, dim);
      assert.deepEqual(new Uint32Array(stored.vectors.buffer), new Uint32Array(vectors.buffer));
      assert.deepEqual(
        new Uint32Array(workspace.embeddings.vector(run.id, ids[1])!.buffer),
        new Uint32Array(vectors.slice(dim, 2 * dim).buffer),
      );

      const xy = Float32Array.from({ length: ids.length * 2 }, (_, k) => k / 3);
      const projection = workspace.analyses.putProjection(run.id, 'umap', { neighbors: 15 }, ids, xy);
      assert.deepEqual(workspace.analyses.projections(run.id), [projection]);
      const points = workspace.analyses.projection(projection.id)!;
      assert.deepEqual(points.params, { neighbors: 15 });
      assert.deepEqual(points.xy, xy);
      const clusters = Int32Array.from(ids, (_, k) => k % 2);
      const clustering = workspace.analyses.putClustering(run.id, 'kmeans', { k: 2 }, ids, clusters);
      assert.deepEqual(workspace.analyses.clustering(clustering.id)!.clusters, clusters);

      assert.equal(workspace.runs.delete(run.id), true);
      assert.equal(workspace.embeddings.get(run.id), undefined);
      assert.equal(workspace.analyses.projection(projection.id), undefined);
      assert.deepEqual(workspace.runs.metrics(run.id), {});
    } finally {
      workspace.close();
    }
  });
});

test('the import benchmark runs end to end', () => {
  const result = benchImport({ rows: 5000, path: newPath() });
  assert.equal(result.rows, 5000);
  assert.ok(result.users > 0 && result.items > 0 && result.rowsPerSecond > 0);
});
