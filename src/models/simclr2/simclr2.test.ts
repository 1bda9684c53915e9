import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import ort from 'onnxruntime-node';
import { ZodError } from 'zod';
import { dispatch } from '../../api/dispatcher.ts';
import { evaluateKnn, evaluateLinear } from '../../eval/image-protocols.ts';
import { Graph } from '../../onnx/graph.ts';
import { cancelAtFirstStep } from '../../testing/cancel.ts';
import { openWorkspace, type Workspace } from '../../workspace/workspace.ts';
import { trainSimclr } from '../simclr/train.ts';
import { barsCsv, importImages } from '../vision/fixtures.ts';
import { benchDefaults, benchOverrides } from './bench.ts';
import { resolveDistillConfig, resolveFinetuneConfig, resolvePretrainConfig } from './config.ts';
import { trainDistill } from './distill.ts';
import { trainFinetune } from './finetune.ts';
import { labelledFraction } from './label-fraction.ts';
import { studentLoss } from './model.ts';

// One SimCLR v2 run (3-layer head) on generated bars, shared by the training tests below: 4
// classes of 40 images, 32 of them test, 12 validation, 116 training.
let dir: string;
let path: string;
let workspace: Workspace;
let pretrained: number;
/** a fine-tuned run, for the refusals */
let finetuned: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'simclr2-test-'));
  path = join(dir, 'workspace.sqlite');
  workspace = openWorkspace(path);
  await importImages(workspace, 'bars', barsCsv(dir, { perClass: 40 }));
  const run = await trainSimclr(workspace, {
    dataset: 'bars',
    config: resolvePretrainConfig('quick', { epochs: 3, batch_size: 32 }),
    device: 'cpu',
    threads: 1,
  });
  pretrained = run.run;
});

after(() => {
  workspace.close();
  rmSync(dir, { recursive: true, force: true });
});

test('v2 pretraining presets are SimCLR presets with the 3-layer head; fashion keeps its measured network', () => {
  const quick = resolvePretrainConfig('quick');
  assert.equal(quick.head_layers, 3);
  const fashion = resolvePretrainConfig('fashion');
  assert.deepEqual(
    [fashion.resnet_width, fashion.resnet_stem_stride, fashion.epochs, fashion.head_layers],
    [16, 1, 10, 3],
  );
  assert.equal(resolvePretrainConfig('quick', { head_layers: 4 }).head_layers, 4);
  assert.equal(workspace.runs.get(pretrained)!.config.head_layers, 3);
});

test('the labelled fraction keeps the same share of each class, at least one, the same for a seed', () => {
  // 3 classes of 40, 20 and 10 training images
  const labels = Int32Array.from({ length: 70 }, (_, i) => (i < 40 ? 0 : i < 60 ? 1 : 2));
  const train = Int32Array.from({ length: 70 }, (_, i) => i);
  const perClass = (kept: Int32Array) => [0, 1, 2].map((c) => kept.filter((i) => labels[i] === c).length);
  assert.deepEqual(perClass(labelledFraction(labels, train, 0.1, 1)), [4, 2, 1]);
  assert.deepEqual(perClass(labelledFraction(labels, train, 0.01, 1)), [1, 1, 1]);
  assert.deepEqual(perClass(labelledFraction(labels, train, 1, 1)), [40, 20, 10]);
  assert.deepEqual(labelledFraction(labels, train, 0.5, 3), labelledFraction(labels, train, 0.5, 3));
  assert.notDeepEqual(labelledFraction(labels, train, 0.5, 3), labelledFraction(labels, train, 0.5, 4));
  assert.throws(() => labelledFraction(labels, train, 0, 1), /fraction 0 is outside/);
});

test("the student's loss: KL of the temperature-scaled softmaxes times τ², mixed with the labelled rows' cross-entropy", async () => {
  const student = [
    [2, 0.5, -1],
    [0.1, 0.3, 1.2],
  ];
  const teacher = [
    [3, 1, 0],
    [-1, 0, 2],
  ];
  const labels = [0, -1];
  const temperature = 2;
  const labelWeight = 0.25;
  const g = new Graph('student_loss');
  const s = g.input('student', [2, 3], 'float32');
  const t = g.input('teacher', [2, 3], 'float32');
  const y = g.input('labels', [2], 'int64');
  g.output('distill', studentLoss(s, t, y, { temperature, label_weight: 0 }));
  g.output('mixed', studentLoss(s, t, y, { temperature, label_weight: labelWeight }));
  const session = await ort.InferenceSession.create(g.toModel());
  const out = await session.run({
    student: new ort.Tensor('float32', Float32Array.from(student.flat()), [2, 3]),
    teacher: new ort.Tensor('float32', Float32Array.from(teacher.flat()), [2, 3]),
    labels: new ort.Tensor('int64', BigInt64Array.from(labels, BigInt), [2]),
  });
  await session.release();
  // by hand: softmax at τ = 2 of each row, then sum p (log p - log q) per row
  const softmax = (row: number[]) => {
    const e = row.map((x) => Math.exp(x / temperature));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  };
  const p0 = softmax(teacher[0]);
  const q0 = softmax(student[0]);
  const p1 = softmax(teacher[1]);
  const q1 = softmax(student[1]);
  const kl = (p: number[], q: number[]) => p.reduce((a, pi, i) => a + pi * Math.log(pi / q[i]), 0);
  const distill = (temperature ** 2 * (kl(p0, q0) + kl(p1, q1))) / 2;
  // cross-entropy at τ = 1 of the one labelled row (row 1 has no label)
  const ce = -Math.log(Math.exp(2) / (Math.exp(2) + Math.exp(0.5) + Math.exp(-1)));
  assert.ok(Math.abs(Number(out.distill.data[0]) - distill) < 1e-5, `${out.distill.data[0]} vs ${distill}`);
  const mixed = (1 - labelWeight) * distill + labelWeight * ce;
  assert.ok(Math.abs(Number(out.mixed.data[0]) - mixed) < 1e-5, `${out.mixed.data[0]} vs ${mixed}`);
  // a student that matches the teacher has no distillation loss, whatever τ
  assert.ok(distill > 0.05);
});

test('fine-tuning a SimCLR v2 run on 10 % of the labels learns; from scratch takes no pretrained parameter', async () => {
  const config = resolveFinetuneConfig({ fraction: 0.1, epochs: 30, patience: 30, batch_size: 16 });
  const tuned = await trainFinetune(workspace, { from: pretrained, config, device: 'cpu', threads: 1 });
  finetuned = tuned.run;
  // 116 training images, 10 % of each class; 12 validation images, 10 % of each class, at least 1
  assert.equal(
    tuned.data.labelled,
    tuned.data.labelled_per_class.reduce((a, b) => a + b, 0),
  );
  assert.ok(
    tuned.data.labelled_per_class.every((n) => n >= 2 && n <= 4),
    `${tuned.data.labelled_per_class}`,
  );
  assert.equal(tuned.data.labelled_validation, 4);
  // encoder and head layer 0 from the run: all but the classifier's weight and bias
  assert.ok(tuned.data.pretrained_parameters > 10, `${tuned.data.pretrained_parameters}`);
  assert.equal(workspace.runs.get(tuned.run)!.status, 'done');
  assert.equal(tuned.test.images, 32);
  assert.equal(
    tuned.test.confusion.flat().reduce((a, b) => a + b, 0),
    32,
  );
  // chance is 0.25; observed 0.91 (seed 1, 12 labelled images, the epoch chosen on 4)
  assert.ok(tuned.top1 >= 0.6, `fine-tuned top-1 ${tuned.top1}`);
  const stored = workspace.embeddings.get(tuned.run)!;
  assert.equal(stored.entityIds.length, 160);
  assert.ok(stored.vectors.every(Number.isFinite));
  // its stored representations evaluate on the SimCLR run's split, the same test images
  const linear = evaluateLinear(workspace, tuned.run);
  const knn = await evaluateKnn(workspace, tuned.run, { k: 5 });
  const split = (workspace.runs.get(pretrained)!.config.data as { split: { train: number } }).split;
  assert.deepEqual([linear.images, knn.images, linear.train], [32, 32, split.train]);
  assert.ok(linear.top1 >= 0.6 && knn.top1 >= 0.6, `linear ${linear.top1}, k-NN ${knn.top1}`);
  const baseline = await trainFinetune(workspace, {
    from: pretrained,
    config: { ...config, init: 'scratch' },
    device: 'cpu',
    threads: 1,
  });
  assert.equal(baseline.data.pretrained_parameters, 0);
  assert.deepEqual(baseline.data.labelled_per_class, tuned.data.labelled_per_class);
  assert.ok(Number.isFinite(baseline.top1));
});

test('a cancelled fine-tuning resumes with its own settings and ends where an uninterrupted one does', async () => {
  const config = resolveFinetuneConfig({ fraction: 0.5, epochs: 3, batch_size: 16 });
  const whole = await trainFinetune(workspace, { from: pretrained, config, device: 'cpu', threads: 1 });
  await assert.rejects(
    trainFinetune(workspace, { from: pretrained, config, device: 'cpu', threads: 1, ...cancelAtFirstStep() }),
    /cancelled at step 1; a checkpoint was kept \(resume it with --resume \d+\)/,
  );
  const stopped = workspace.runs.list()[0].id; // newest first
  assert.equal(workspace.runs.get(stopped)!.status, 'cancelled');
  // the request's settings give way to the run's own (3 epochs, half the labels)
  const other = resolveFinetuneConfig({ fraction: 0.1, epochs: 1, batch_size: 16 });
  await assert.rejects(
    trainFinetune(workspace, { from: finetuned, config: other, device: 'cpu', resume: stopped }),
    /there is no simclr2-finetune run \d+ from run \d+ to resume/,
  );
  const resumed = await trainFinetune(workspace, {
    from: pretrained,
    config: other,
    device: 'cpu',
    threads: 1,
    resume: stopped,
  });
  assert.equal(resumed.run, stopped);
  assert.equal(workspace.runs.get(stopped)!.status, 'done');
  assert.deepEqual(
    [resumed.config.fraction, resumed.config.epochs, resumed.steps, resumed.data.labelled],
    [0.5, 3, whole.steps, whole.data.labelled],
  );
  // the same batches from the checkpoint on: the same classifier as the run that never stopped
  assert.equal(resumed.top1, whole.top1);
  assert.deepEqual(resumed.test.confusion, whole.test.confusion);
  await assert.rejects(
    trainFinetune(workspace, { from: pretrained, config, device: 'cpu', resume: stopped }),
    /run \d+ is done; only a stopped run resumes/,
  );
});

test("distillation: a half-width student trained on the teacher's outputs alone gets close to its teacher", async () => {
  const teacher = await trainFinetune(workspace, {
    from: pretrained,
    config: resolveFinetuneConfig({ fraction: 1, epochs: 10, batch_size: 16 }),
    device: 'cpu',
    threads: 1,
  });
  // trained in two parts: cancelled at its first step, then resumed to the end
  const config = resolveDistillConfig({ epochs: 15, batch_size: 16, temperature: 2, lr: 0.01 });
  await assert.rejects(
    trainDistill(workspace, {
      teacher: teacher.run,
      config,
      device: 'cpu',
      threads: 1,
      ...cancelAtFirstStep(),
    }),
    /cancelled at step 1; a checkpoint was kept/,
  );
  const student = await trainDistill(workspace, {
    teacher: teacher.run,
    config: resolveDistillConfig(),
    device: 'cpu',
    threads: 1,
    resume: workspace.runs.list()[0].id,
  });
  assert.equal(student.config.temperature, 2);
  // every step of its epochs (7 batches of 16 of the 116 training images), the first before the cancel
  assert.equal(student.steps, student.epochs * Math.floor(116 / 16));
  // the teacher's test top-1 from its stored checkpoint equals what its own run reported
  assert.equal(student.teacher_top1, teacher.top1);
  assert.equal(student.teacher_width, 8);
  assert.equal(student.student_width, 4);
  assert.ok(student.student_weights < student.teacher_weights / 2);
  // no label entered: no label loss, and the epoch was chosen by agreement with the teacher
  assert.equal(student.data.labelled, 0);
  assert.equal(student.data.labelled_validation, 0);
  const metrics = Object.keys(workspace.runs.metrics(student.run));
  assert.ok(metrics.includes('val/agreement') && !metrics.includes('val/top1'), metrics.join());
  // observed here: teacher 0.94, student 0.94, agreeing on 0.88 of the test images (seed 1)
  assert.ok(teacher.top1 >= 0.8, `teacher ${teacher.top1}`);
  assert.ok(student.top1 >= teacher.top1 - 0.1, `student ${student.top1}, teacher ${teacher.top1}`);
  assert.ok(student.agreement >= 0.75, `agreement ${student.agreement}`);
  // a student is not a teacher
  await assert.rejects(
    trainDistill(workspace, { teacher: student.run, config: resolveDistillConfig(), device: 'cpu' }),
    /run \d+ is a simclr2-distill run; distillation .* needs a simclr2-finetune run/,
  );
});

test('the bench sizes each fraction: more epochs for fewer labels, time limits from the planned images', () => {
  // Fashion-MNIST after SimCLR's validation part: 54 000 training images
  const one = benchDefaults(0.01, 54_000, 54_000);
  const ten = benchDefaults(0.1, 54_000, 54_000);
  const all = benchDefaults(1, 54_000, 54_000);
  assert.deepEqual(
    [one, ten, all].map((d) => [d.finetune.epochs, d.finetune.time_limit_s]),
    [
      [60, 81],
      [10, 135],
      [3, 405],
    ],
  );
  // with most of the labels the student trains longer and on them too
  assert.deepEqual(
    [one, ten, all].map((d) => [d.distill.epochs, d.distill.time_limit_s, d.distill.label_weight]),
    [
      [3, 232, 0],
      [3, 232, 0],
      [8, 618, 0.5],
    ],
  );
  const total = [one, ten, all].reduce((s, d) => s + 2 * d.finetune.time_limit_s + d.distill.time_limit_s, 0);
  assert.ok(total < 40 * 60, `${total} s of training at most`);
  assert.deepEqual(benchOverrides({ lr: 0.01, temperature: 2 }), {
    finetune: { lr: 0.01 },
    distill: { lr: 0.01, temperature: 2 },
  });
  assert.throws(
    () => benchOverrides({ fraction: 0.5 }),
    (e) => e instanceof ZodError && /the bench sets it/.test(e.message),
  );
  assert.throws(() => benchOverrides({ lr: -1 }), ZodError);
});

test('bad input through the API: a run that is not SimCLR, a fraction out of range, a teacher that is not fine-tuned', async () => {
  const options = { workspace: path };
  await assert.rejects(
    dispatch('eval.finetune', { run: pretrained, settings: { fraction: 1.5 } }, options),
    (e: Error & { code?: string }) =>
      e.code === 'invalid-input' && /fraction: the labelled fraction is at most 1/.test(e.message),
  );
  await assert.rejects(
    dispatch('eval.finetune', { run: pretrained, settings: { fraction: 0 } }, options),
    (e: Error & { code?: string }) => e.code === 'invalid-input' && /fraction: .*above 0/.test(e.message),
  );
  await assert.rejects(
    dispatch('distill', { teacher: pretrained }, options),
    (e: Error & { code?: string }) =>
      e.code === 'refused' && /is a simclr run; distillation .* needs a simclr2-finetune run/.test(e.message),
  );
  await assert.rejects(
    dispatch('eval.finetune', { run: finetuned }, options),
    (e: Error & { code?: string }) =>
      e.code === 'refused' && /is a simclr2-finetune run; fine-tuning needs a simclr run/.test(e.message),
  );
  await assert.rejects(
    dispatch('eval.finetune', { run: 999 }, options),
    (e: Error & { code?: string }) => e.code === 'refused' && /no run 999/.test(e.message),
  );
  await assert.rejects(
    dispatch('eval.finetune', { run: pretrained, resume: finetuned, settings: { epochs: 2 } }, options),
    (e: Error & { code?: string }) =>
      e.code === 'invalid-input' && /resumes with its own settings; leave out epochs/.test(e.message),
  );
  await assert.rejects(
    dispatch('distill', { teacher: finetuned, resume: pretrained }, options),
    (e: Error & { code?: string }) =>
      e.code === 'refused' && /no simclr2-distill run \d+ from run \d+ to resume/.test(e.message),
  );
  await assert.rejects(
    dispatch('bench.simclr2', { pretrained, fractions: [2] }, options),
    (e: Error & { code?: string }) => e.code === 'invalid-input' && /fractions/.test(e.message),
  );
});
