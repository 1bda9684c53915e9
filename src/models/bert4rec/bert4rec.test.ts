// End to end through the API dispatcher (the CLI's and the UI's door): the demo's watch log
// (planted sequential structure) imported into a temp workspace, a small BERT4Rec trained in its
// job and trainer threads, evaluated, asked for recommendations, and its exported recommender run
// by a plain onnxruntime session.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { dispatch } from '../../api/dispatcher.ts';
import { demoParts } from '../../demo/demo-files.ts';
import { readDemoSpec } from '../../demo/spec.ts';
import { runImport } from '../../ingest/registry.ts';
import { openWorkspace } from '../../workspace/workspace.ts';

const small = {
  max_len: 12,
  max_predictions: 4,
  window_step: 6,
  hidden: 16,
  layers: 1,
  heads: 2,
  epochs: 2,
  dupe_factor: 1,
  val_users: 150,
  eval_batch: 128,
};

async function watchLogWorkspace(dir: string): Promise<string> {
  const spec = readDemoSpec();
  spec.interactionLog.users = 300;
  const part = demoParts(spec, spec.seed).find((p) => p.step === spec.interactionLog.name)!;
  const request = await part.write(dir);
  const path = join(dir, 'w.constellation');
  const workspace = openWorkspace(path);
  try {
    await runImport(workspace, {
      ...request,
      name: 'watch log',
      progress: () => {},
      signal: new AbortController().signal,
    });
  } finally {
    workspace.close();
  }
  return path;
}

test('BERT4Rec end to end: train, eval under each protocol, recommend, exported recommender', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bert4rec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const workspace = await watchLogWorkspace(dir);
  const progress: { phase: string; loss?: number }[] = [];
  const trained = await dispatch(
    'train.bert4rec',
    { dataset: 'watch log', preset: 'quick', settings: small, device: 'cpu', threads: 1 },
    { workspace, onProgress: (p) => progress.push(p) },
  );
  assert.equal(trained.model, 'bert4rec');
  assert.equal(trained.epochs, 2);
  assert.equal(trained.split.excluded_users, 0);
  assert.ok(progress.some((p) => p.phase === 'validation'));
  for (const [protocol, metrics] of Object.entries(trained.test)) {
    for (const [name, value] of Object.entries(metrics)) {
      assert.ok(Number.isFinite(value) && value >= 0 && value <= 1, `${protocol} ${name} = ${value}`);
    }
  }

  const popularity = await dispatch(
    'train.bert4rec',
    { dataset: 'watch log', preset: 'quick', settings: small, baseline: 'popularity' },
    { workspace },
  );
  assert.equal(popularity.model, 'popularity');
  assert.equal(popularity.model_file, null);

  // eval re-scores the stored best checkpoint with the same negatives: the training's test figures
  const evaluated = await dispatch(
    'eval.ranking',
    { run: trained.run, protocol: 'uniform100' },
    { workspace },
  );
  for (const name of ['HR@1', 'HR@5', 'HR@10', 'NDCG@5', 'NDCG@10', 'MRR'] as const) {
    assert.ok(Math.abs(evaluated[name] - trained.test.uniform100[name]) < 1e-9, name);
  }
  const popEval = await dispatch('eval.ranking', { run: popularity.run, protocol: 'pop100' }, { workspace });
  assert.ok(Math.abs(popEval['HR@10'] - popularity.test.pop100['HR@10']) < 1e-12);

  const ws = openWorkspace(workspace, { readonly: true });
  let user: string;
  let seen: Set<string>;
  try {
    const stored = ws.embeddings.get(trained.run);
    assert.equal(stored?.dim, 16);
    assert.equal(stored?.entityIds.length, trained.split.items);
    const dataset = ws.datasets.require('watch log');
    const relation = ws.entities.relationType(dataset.id, 'interacted')!;
    const sequences = ws.relations.sequences(relation.id);
    const userKeys = ws.entities.keys(ws.entities.type(dataset.id, 'user')!.id);
    const itemKeys = ws.entities.keys(ws.entities.type(dataset.id, 'item')!.id);
    user = userKeys[sequences.users[0]];
    seen = new Set(
      Array.from(sequences.items.subarray(sequences.offsets[0], sequences.offsets[1]), (i) => itemKeys[i]),
    );
  } finally {
    ws.close();
  }
  const recommended = await dispatch('recommend', { run: trained.run, user, k: 10 }, { workspace });
  assert.equal(recommended.recommendations.length, 10);
  for (const r of recommended.recommendations)
    assert.ok(!seen.has(r.item), `seen item ${r.item} recommended`);
  const scores = recommended.recommendations.map((r) => r.score);
  assert.deepEqual(
    scores,
    [...scores].sort((a, b) => b - a),
  );
  await assert.rejects(
    dispatch('recommend', { run: trained.run, user: 'no such user' }, { workspace }),
    (e: { code?: string }) => e.code === 'not-found',
  );

  // the exported recommender needs nothing but onnxruntime
  const session = await ort.InferenceSession.create(trained.model_file!);
  const history = new BigInt64Array(12);
  history.set([3n, 4n, 5n, 6n], 7);
  const out = await session.run({ history: new ort.Tensor('int64', history, [1, 12]) });
  const items = Array.from(out.items.data as BigInt64Array, Number);
  assert.equal(items.length, 100);
  for (const item of items)
    assert.ok(item >= 1 && item <= trained.split.items && ![3, 4, 5, 6].includes(item));
  const top = Array.from(out.scores.data as Float32Array);
  assert.deepEqual(
    top,
    [...top].sort((a, b) => b - a),
  );
  await session.release();
});

test('train_on_validation: nothing is validated, the last epoch is kept and is what eval scores', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bert4rec-train-on-val-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const workspace = await watchLogWorkspace(dir);
  const phases = new Set<string>();
  const trained = await dispatch(
    'train.bert4rec',
    {
      dataset: 'watch log',
      preset: 'quick',
      settings: { ...small, train_on_validation: true },
      device: 'cpu',
      threads: 1,
    },
    { workspace, onProgress: (p) => phases.add((p as { phase: string }).phase) },
  );
  assert.ok(!phases.has('validation'), `phases ${[...phases]}`);
  assert.equal(trained.validation, null);
  assert.equal(trained.epochs, 2);
  assert.equal(trained.best_epoch, 1, 'the last of 2 epochs (counted from 0)');
  assert.ok(trained.test.uniform100['HR@10'] > 0);
  const evaluated = await dispatch(
    'eval.ranking',
    { run: trained.run, protocol: 'uniform100' },
    { workspace },
  );
  assert.ok(Math.abs(evaluated['NDCG@10'] - trained.test.uniform100['NDCG@10']) < 1e-9);
  const ws = openWorkspace(workspace, { readonly: true });
  try {
    const names = Object.keys(ws.runs.metrics(trained.run));
    assert.ok(names.includes('train/epoch_loss') && !names.some((n) => n.startsWith('val/')), `${names}`);
  } finally {
    ws.close();
  }
});

test('bad input: unknown dataset, a network dataset, settings outside their ranges', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bert4rec-bad-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const workspace = join(dir, 'w.constellation');
  openWorkspace(workspace).close();
  await assert.rejects(
    dispatch('train.bert4rec', { dataset: 'x', settings: { mask_prob: 0 } }, { workspace }),
    (e: { code?: string; message: string }) => e.code === 'invalid-input' && /mask_prob/.test(e.message),
  );
  await assert.rejects(
    dispatch('train.bert4rec', { dataset: 'x', settings: { max_len: 1 } }, { workspace }),
    (e: { code?: string; message: string }) => e.code === 'invalid-input' && /max_len/.test(e.message),
  );
  await assert.rejects(dispatch('train.bert4rec', { dataset: 'nope' }, { workspace }), /nope/);
  await assert.rejects(
    dispatch('eval.ranking', { run: 99, protocol: 'full' }, { workspace }),
    (e: { code?: string }) => e.code === 'refused',
  );
});

test('a cancelled run keeps a checkpoint and resumes to the end as the same run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bert4rec-resume-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const workspace = await watchLogWorkspace(dir);
  // Cancelled on the first progress event ('loading', sent before the trainer thread starts): the
  // cancel lands long before the epoch's last step (the trainer checks it after every step), so the
  // run cannot finish first however fast the machine is.
  const controller = new AbortController();
  await assert.rejects(
    dispatch(
      'train.bert4rec',
      {
        dataset: 'watch log',
        preset: 'quick',
        settings: { ...small, epochs: 1, dupe_factor: 2 },
        device: 'cpu',
        threads: 1,
      },
      { workspace, signal: controller.signal, onProgress: () => controller.abort() },
    ),
    (e: { code?: string; message: string }) =>
      e.code === 'cancelled' && /resume it with --resume 1/.test(e.message),
  );
  const ws = openWorkspace(workspace, { readonly: true });
  try {
    assert.equal(ws.runs.get(1)?.status, 'cancelled');
    assert.ok(ws.runs.checkpoints(1).length >= 1);
  } finally {
    ws.close();
  }
  const resumed = await dispatch(
    'train.bert4rec',
    { dataset: 'watch log', resume: 1, threads: 1 },
    { workspace },
  );
  assert.equal(resumed.run, 1);
  assert.equal(resumed.epochs, 1);
  assert.ok(resumed.steps > 2);
  assert.ok(Number.isFinite(resumed.test.full['NDCG@10']));
});

test('a run cancelled while validating resumes at that validation, keeping the epoch it trained', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bert4rec-resume-val-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const workspace = await watchLogWorkspace(dir);
  const controller = new AbortController();
  let trainedSteps = 0;
  await assert.rejects(
    dispatch(
      'train.bert4rec',
      { dataset: 'watch log', preset: 'quick', settings: { ...small, epochs: 1 }, device: 'cpu', threads: 1 },
      {
        workspace,
        signal: controller.signal,
        onProgress: (p) => {
          const progress = p as { phase: string; step: number };
          if (progress.phase === 'validation' && !controller.signal.aborted) {
            trainedSteps = progress.step;
            controller.abort();
          }
        },
      },
    ),
    (e: { code?: string }) => e.code === 'cancelled',
  );
  assert.ok(trainedSteps > 0, 'the cancel landed during validation, after training steps');
  const resumed = await dispatch(
    'train.bert4rec',
    { dataset: 'watch log', resume: 1, threads: 1 },
    { workspace },
  );
  // no step is trained twice: the resumed run only validates, then tests
  assert.equal(resumed.steps, trainedSteps);
  assert.equal(resumed.epochs, 1);
  assert.ok(resumed.validation !== null && Number.isFinite(resumed.validation['NDCG@10']));
});

test('bench bert4rec times a preset with its settings on a workspace dataset, through both steps with short_len', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bert4rec-bench-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const workspace = await watchLogWorkspace(dir);
  const settings = { ...small, short_len: 6, batch_size: 16 };
  const result = await dispatch(
    'bench.bert4rec',
    { preset: 'quick', settings, dataset: 'watch log', steps: 12, warmup: 1, engine: false, threads: 1 },
    { workspace },
  );
  assert.equal(result.preset, 'quick');
  assert.equal(result.dataset, 'watch log');
  assert.equal(result.users, 300);
  assert.equal(result.short_len, 6);
  assert.deepEqual(
    result.shapes.map((s) => s.length),
    [12, 6],
  );
  assert.equal(
    result.shapes.reduce((n, s) => n + s.timed_steps, 0),
    12,
  );
  assert.ok(result.sequences_per_s > 0 && result.engine === null);
  await assert.rejects(
    dispatch('bench.bert4rec', { dataset: 'nope', steps: 1, engine: false }, { workspace }),
    /nope/,
  );
  await assert.rejects(
    dispatch('bench.bert4rec', { settings: { short_len: 500 }, steps: 1, engine: false }, { workspace }),
    (e: { code?: string; message: string }) => e.code === 'invalid-input' && /short_len/.test(e.message),
  );
});
