// SimCLR v2 through the real command line on generated bars: pretrain with train simclr2, fine-tune
// with eval RUN --protocol finetune, distill the fine-tuned run, the bench's table, and refusals
// answered as JSON errors.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, oneJson, tempDir } from '../../cli/spawn-cli.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { barsCsv, importImages } from '../vision/fixtures.ts';

test('train simclr2, eval --protocol finetune, distill and bench simclr2 print their JSON; bad runs and fractions are refused', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'workspace.constellation');
  const setup = openWorkspace(path);
  await importImages(setup, 'bars', barsCsv(dir, { perClass: 20 }));
  setup.close();
  const common = ['--device', 'cpu', '--threads', '1', '--workspace', path, '--json'];

  const trained = await cli([
    'train',
    'simclr2',
    '--dataset',
    'bars',
    '--set',
    'epochs=2',
    '--set',
    'batch_size=32',
    ...common,
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const pretrained = oneJson(trained);
  assert.equal(pretrained.model, 'simclr');

  const tuned = await cli([
    'eval',
    String(pretrained.run),
    '--protocol',
    'finetune',
    '--set',
    'fraction=0.5',
    '--set',
    'epochs=3',
    ...common,
  ]);
  assert.equal(tuned.code, 0, tuned.stderr);
  const finetune = oneJson(tuned);
  assert.equal(finetune.protocol, 'finetune');
  assert.equal(finetune.run, pretrained.run);
  assert.equal(finetune.fraction, 0.5);
  assert.equal(finetune.init, 'pretrained');
  assert.equal(typeof finetune.top1, 'number');
  assert.equal(
    finetune.labels,
    (finetune.labelled_train as number) + (finetune.labelled_validation as number),
  );
  assert.equal(
    (finetune.confusion as number[][]).flat().reduce((a, b) => a + b, 0),
    finetune.images,
  );

  const distilled = await cli(['distill', String(finetune.finetuned_run), '--set', 'epochs=2', ...common]);
  assert.equal(distilled.code, 0, distilled.stderr);
  const student = oneJson(distilled);
  assert.equal(student.model, 'simclr2-distill');
  assert.equal(student.teacher, finetune.finetuned_run);
  assert.equal(student.teacher_top1, finetune.top1);
  assert.equal(typeof student.top1, 'number');

  const bench = await cli([
    'bench',
    'simclr2',
    '--pretrained',
    String(pretrained.run),
    '--fractions',
    '0.5,1',
    '--set',
    'epochs=2',
    ...common,
  ]);
  assert.equal(bench.code, 0, bench.stderr);
  const table = oneJson(bench);
  assert.equal(table.head_layers, 3);
  const rows = table.rows as Record<string, number>[];
  assert.deepEqual(
    rows.map((r) => r.fraction),
    [0.5, 1],
  );
  for (const row of rows) {
    for (const key of [
      'labels',
      'finetuned_top1',
      'supervised_top1',
      'gain',
      'student_top1',
      'teacher_top1',
      'seconds',
    ]) {
      assert.equal(typeof row[key], 'number', key);
    }
    assert.ok(Math.abs(row.gain - (row.finetuned_top1 - row.supervised_top1)) < 1e-12);
  }
  assert.ok(rows[0].labels < rows[1].labels);
  const workspace = openWorkspace(path, { readonly: true });
  try {
    const runs = rows.flatMap((r) => [r.finetuned_run, r.supervised_run, r.student_run]);
    assert.deepEqual(
      runs.map((id) => [workspace.runs.get(id)?.model, workspace.runs.get(id)?.status]),
      rows.flatMap(() => [
        ['simclr2-finetune', 'done'],
        ['simclr2-finetune', 'done'],
        ['simclr2-distill', 'done'],
      ]),
    );
  } finally {
    workspace.close();
  }

  const notSimclr = await cli(['eval', String(finetune.finetuned_run), '--protocol', 'finetune', ...common]);
  assert.equal(notSimclr.code, 1);
  const refused = oneJson(notSimclr).error as { code: string; message: string };
  assert.equal(refused.code, 'refused');
  assert.match(refused.message, /simclr2-finetune run; fine-tuning needs a simclr run/);

  const outOfRange = await cli([
    'eval',
    String(pretrained.run),
    '--protocol',
    'finetune',
    '--set',
    'fraction=2',
    ...common,
  ]);
  assert.equal(outOfRange.code, 2);
  const invalid = oneJson(outOfRange).error as { code: string; message: string };
  assert.equal(invalid.code, 'invalid-input');
  assert.match(invalid.message, /fraction: the labelled fraction is at most 1/);
});
