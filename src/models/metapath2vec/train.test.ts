import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dispatch } from '../../api/dispatcher.ts';
import { ApiError } from '../../api/schema/errors.ts';
import { generateAcademicNetwork, writeFourAreaLayout } from '../../demo/academic-network.ts';
import { readDemoSpec } from '../../demo/spec.ts';
import { runImport } from '../../ingest/registry.ts';
import { openWorkspace, type Workspace } from '../../workspace/workspace.ts';
import { resolveConfig } from './config.ts';
import { trainMetapath2vec } from './train.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-metapath2vec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const isApiError = (code: ApiError['code'], pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof ApiError, `expected an ApiError, got ${error}`);
  assert.equal(error.code, code, error.message);
  assert.match(error.message, pattern);
  return true;
};

test('a quick run on the demo academic network classifies its planted areas well above chance', async (t) => {
  const dir = tempDir(t);
  const workspace = join(dir, 'demo.constellation');
  const spec = readDemoSpec();
  // the demo's network, smaller: the test is about the pipeline, not the scale
  const network = generateAcademicNetwork(
    { ...spec.academicNetwork, authorsPerArea: 150, papersPerArea: 250, termsPerArea: 40, sharedTerms: 20 },
    spec.seed,
  );
  await writeFourAreaLayout(network, dir);
  const ws = openWorkspace(workspace);
  await runImport(ws, { kind: 'network', paths: [dir], name: 'academic', format: 'dblp-four-area' });
  ws.close();

  const progress: string[] = [];
  const losses: number[] = [];
  const trained = await dispatch(
    'train.metapath2vec',
    {
      dataset: 'academic',
      metapaths: ['A-P-C-P-A'],
      settings: { walks_per_node: 10, walk_length: 30, dim: 32, seed: 3, epochs: 2 },
      threads: 2,
    },
    {
      workspace,
      onProgress: (p) => {
        progress.push(p.phase);
        if (p.loss !== undefined) losses.push(p.loss);
      },
    },
  );
  assert.ok(progress.includes('walks') && progress.includes('training'));
  assert.equal(trained.walks, 600 * 10);
  assert.equal(trained.skipped_walks, 0);
  assert.ok(trained.pairs > 0 && trained.pairs_per_s > 0 && trained.walk_tokens_per_s > 0);
  // terms are not on the scheme: they get no embedding
  assert.equal(trained.nodes_without_embedding, network.terms.length);

  const reader = openWorkspace(workspace, { readonly: true });
  const run = reader.runs.get(trained.run)!;
  assert.equal(run.status, 'done');
  assert.equal(run.model, 'metapath2vec');
  assert.equal(run.seed, 3);
  assert.equal(run.device, 'cpu');
  // auto takes a GPU only when a hardware one works, and the run says why it chose what it did
  assert.match(String(run.config.device_reason), /^auto: /);
  assert.ok(run.codeVersion.length > 0);
  assert.deepEqual(run.config.metapaths, ['author-paper-conf-paper-author']);
  const stored = reader.embeddings.get(trained.run)!;
  assert.equal(stored.dim, 32);
  assert.ok(stored.vectors.every(Number.isFinite));
  assert.ok(reader.runs.list()[0].metrics.pairs_per_s! > 0);
  // the loss curve: points through the run up to its last pair, the same values as the progress
  // events carried, each below an untrained model's (1 + 5 negatives) ln 2; it falls by epoch
  const metrics = reader.runs.metrics(trained.run);
  const curve = metrics['train/loss'];
  assert.ok(curve.steps.length >= 1 && curve.steps.length <= 101, `${curve.steps.length} loss points`);
  assert.equal(curve.steps.at(-1), trained.pairs);
  assert.ok(curve.steps.every((step, k) => k === 0 || step > curve.steps[k - 1]));
  assert.deepEqual([...curve.values], losses);
  assert.ok(
    losses.every((loss) => loss > 0 && loss < 6 * Math.LN2),
    `losses ${losses}`,
  );
  const byEpoch = [...metrics['train/epoch_loss'].values];
  assert.equal(byEpoch.length, 2);
  assert.ok(byEpoch[1] < byEpoch[0], `epoch losses ${byEpoch}`);
  reader.close();

  const classification = await dispatch(
    'eval.run',
    { run: trained.run, task: 'node-classification', fractions: [0.2, 0.8], repeats: 3 },
    { workspace },
  );
  assert.equal(classification.task, 'node-classification');
  if (classification.task !== 'node-classification') return;
  assert.equal(classification.type, 'author');
  assert.equal(classification.labelled, 600);
  assert.deepEqual(classification.classes, ['AI', 'DB', 'DM', 'IR']);
  for (const figure of classification.results) {
    assert.ok(figure.micro_f1 > 0.6, `Micro-F1 ${figure.micro_f1} at ${figure.train_fraction} (chance 0.25)`);
    assert.ok(figure.macro_f1 > 0.6, `Macro-F1 ${figure.macro_f1}`);
  }
  const clusters = await dispatch(
    'eval.run',
    { run: trained.run, task: 'clustering', repeats: 2 },
    { workspace },
  );
  assert.equal(clusters.task, 'clustering');
  if (clusters.task === 'clustering')
    assert.ok(clusters.nmi > 0.3 && clusters.ari > 0.2, JSON.stringify(clusters));

  const near = await dispatch(
    'eval.neighbours',
    { run: trained.run, entity: '1', entityType: 'author', type: 'author', k: 5 },
    { workspace },
  );
  assert.equal(near.neighbours.length, 5);
  assert.ok(near.neighbours.every((n) => n.type === 'author' && n.key !== '1'));
  await assert.rejects(
    dispatch('eval.neighbours', { run: trained.run, entity: '1' }, { workspace }),
    isApiError('refused', /exists in types author, paper, conf, term/),
  );

  const out = join(dir, 'walks.txt');
  const walks = await dispatch(
    'walks.export',
    {
      dataset: 'academic',
      metapaths: ['author-paper-conf-paper-author'],
      settings: { walks_per_node: 2, walk_length: 9 },
      out,
    },
    { workspace },
  );
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, walks.walks);
  assert.match(
    lines[0],
    /^author:\d+ paper:\d+ conf:\d+ paper:\d+ author:\d+ paper:\d+ conf:\d+ paper:\d+ author:\d+$/,
  );
});

/**
 * A network with the awkward parts: author 3 wrote nothing (isolated), paper 2 has no venue
 * (walks end there), `term` has no nodes, and `paper-term` has no relations.
 */
function awkwardNetwork(ws: Workspace): void {
  const session = ws.beginImport({
    name: 'awkward',
    kind: 'network',
    source: { format: 'edges', paths: [] },
  });
  session.addEntities(
    'author',
    ['a0', 'a1', 'a2', 'a3'].map((key) => ({ key, classLabel: key === 'a0' ? 'x' : 'y' })),
  );
  session.addEntities(
    'paper',
    ['p0', 'p1', 'p2'].map((key) => ({ key })),
  );
  session.addEntities('conf', [{ key: 'c0' }]);
  session.entityType('term');
  session.relationType('paper-author', 'paper', 'author');
  session.relationType('paper-conf', 'paper', 'conf');
  session.relationType('paper-term', 'paper', 'term');
  session.addRelations('paper-author', [0, 0, 1, 2], [0, 1, 1, 2]);
  session.addRelations('paper-conf', [0, 1], [0, 0]);
  session.commit();
}

test('bad input is refused clearly or reported, never a crash or a NaN', async (t) => {
  const dir = tempDir(t);
  const workspace = join(dir, 'w.constellation');
  const ws = openWorkspace(workspace);
  t.after(() => ws.close());
  awkwardNetwork(ws);
  const base = { dataset: 'awkward', metapaths: ['author-paper-conf-paper-author'], threads: 1 };

  await assert.rejects(
    dispatch('train.metapath2vec', { ...base, settings: { dim: 0 } }, { workspace }),
    isApiError('invalid-input', /dim/),
  );
  await assert.rejects(
    dispatch('train.metapath2vec', { ...base, settings: { dim: 1_000_000 } }, { workspace }),
    isApiError('invalid-input', /dim/),
  );
  await assert.rejects(
    dispatch('train.metapath2vec', { ...base, settings: { walk_length: 5, window: 7 } }, { workspace }),
    isApiError('invalid-input', /window must be smaller than walk_length/),
  );
  await assert.rejects(
    dispatch('train.metapath2vec', { ...base, settings: { windows: 3 } }, { workspace }),
    isApiError('invalid-input', /windows: unknown setting/),
  );
  await assert.rejects(
    dispatch('train.metapath2vec', { ...base, metapaths: ['author-venue-author'] }, { workspace }),
    isApiError('invalid-input', /unknown type "venue"; known types: author/),
  );
  await assert.rejects(
    dispatch('train.metapath2vec', { ...base, device: 'tpu' }, { workspace }),
    isApiError('refused', /device "tpu"/),
  );

  const config = resolveConfig('quick', { walks_per_node: 4, walk_length: 9, window: 3, dim: 8 });
  await assert.rejects(
    trainMetapath2vec(ws, { ...base, metapaths: ['paper-term-paper'], config, device: 'cpu' }),
    /type term has no nodes/,
  );
  const result = await trainMetapath2vec(ws, { ...base, config, device: 'cpu' });
  // author a3 is isolated: its 4 walks are skipped; walks through p2 (no venue) end early
  assert.equal(result.isolated_nodes, 1);
  assert.equal(result.skipped_walks, 4);
  assert.equal(result.walks, 3 * 4);
  assert.ok(result.shortened_walks > 0);
  assert.ok(ws.embeddings.get(result.run)!.vectors.every(Number.isFinite));
  // every run so far either finished or was never created; none is left running
  assert.ok(ws.runs.list().every((r) => r.status === 'done'));
});
