// SimCLR v2's distillation: a fine-tuned teacher's logits on every image the SimCLR run trained on
// (labelled or not), computed once, are the targets of a smaller student (the same network at a
// lower ResNet width) trained from scratch on the teacher's temperature-scaled softmax, optionally
// mixed with the cross-entropy of the teacher's labelled fraction. The teacher's logits are of the
// unaugmented images, so training images are not shifted or flipped here. No label chooses the
// student's epoch: the validation score is its agreement with the teacher on the validation
// images. Test top-1 of both and their agreement on the test images are reported.
import ort from 'onnxruntime-node';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { shapeOf } from '../simclr/train.ts';
import { recordRun } from '../training-loop.ts';
import { epochOrder, imageBatch } from '../vision/batches.ts';
import type { ImageSet } from '../vision/image-set.ts';
import { classify } from '../vit/evaluate.ts';
import { bestParametersSession } from '../vit/stored-run.ts';
import { type DistillConfig, type FinetuneConfig, resolveDistillConfig } from './config.ts';
import {
  type ClassifierData,
  type ClassifierProgress,
  type ClassifierResult,
  classifierRunId,
  simclrRunImages,
  stoppedClassifierRun,
  storedRun,
  trainClassifier,
  weightCount,
} from './finetune.ts';
import { labelledFraction } from './label-fraction.ts';
import { type ClassifierShape, classifierInference, distillProgram } from './model.ts';

export interface DistillRequest {
  /** a fine-tuned classifier run (simclr2-finetune, pretrained or from scratch) */
  teacher: number;
  config: DistillConfig;
  /** a stopped distillation of `teacher` to continue from its last checkpoint, with its own settings */
  resume?: number;
  device: DeviceChoice;
  threads?: number;
  onProgress?(progress: ClassifierProgress): void;
  signal?: AbortSignal;
}

export interface DistillResult extends ClassifierResult {
  model: 'simclr2-distill';
  /** the settings it trained with (a resumed run's own) */
  config: DistillConfig;
  teacher: number;
  teacher_top1: number;
  /** test images where the student's class is the teacher's */
  agreement: number;
  /** ResNet stem widths and learned values of both networks */
  student_width: number;
  teacher_width: number;
  student_weights: number;
  teacher_weights: number;
}

/** Logits [images, classes] of `images` through a stored classifier run's best parameters. */
async function runLogits(
  workspace: Workspace,
  runId: number,
  data: ClassifierData,
  set: ImageSet,
  images: Int32Array,
  rows: number,
  threads?: number,
): Promise<Float32Array> {
  const classes = set.classes.length;
  const shape: ClassifierShape = { ...shapeOf(data.source), classes };
  const program = classifierInference(data.simclr, shape, data.source.normalisation, rows);
  const session = await bestParametersSession(workspace, runId, program, threads);
  const out = new Float32Array(images.length * classes);
  try {
    for (let at = 0; at < images.length; at += rows) {
      const chosen = images.subarray(at, Math.min(at + rows, images.length));
      const batch = imageBatch(set, chosen, rows).images;
      const feed = { images: new ort.Tensor('uint8', batch, [rows, shape.channels, shape.size, shape.size]) };
      const logits = (await session.run(feed)).logits.data as Float32Array;
      out.set(logits.subarray(0, chosen.length * classes), at * classes);
    }
  } finally {
    await session.release();
  }
  return out;
}

function argmax(logits: Float32Array, row: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (logits[row * classes + c] > logits[row * classes + best]) best = c;
  return best;
}

/** Part of `images` whose predicted class (in order) is the teacher's. */
function agreementWith(teacherClass: Int32Array, images: Int32Array, predicted: Int32Array): number {
  let agreeing = 0;
  images.forEach((image, k) => {
    if (teacherClass[image] === predicted[k]) agreeing++;
  });
  return agreeing / Math.max(1, images.length);
}

export async function trainDistill(workspace: Workspace, request: DistillRequest): Promise<DistillResult> {
  const progress = request.onProgress ?? (() => {});
  const resumed =
    request.resume === undefined
      ? null
      : stoppedClassifierRun<DistillConfig>(workspace, request.resume, 'simclr2-distill', request.teacher);
  const config = resumed ? resolveDistillConfig(resumed.config) : request.config;
  progress({ phase: 'loading', epoch: 0, step: 0 });
  const teacherRun = storedRun<FinetuneConfig & { data: ClassifierData }>(
    workspace,
    request.teacher,
    ['simclr2-finetune'],
    'distillation (a teacher fine-tuned with eval RUN --protocol finetune)',
  );
  const teacherData = teacherRun.config.data;
  const { dataset, set, split } = await simclrRunImages(workspace, teacherData.simclr_run, 'distillation');
  const classes = set.classes.length;
  // every image the SimCLR run trained on: labelled training images and unlabelled ones
  const heldOut = new Set([...split.test, ...split.validation]);
  const everyImage = Int32Array.from({ length: set.count }, (_, i) => i);
  const pool = everyImage.filter((i) => !heldOut.has(i));
  const logits = await runLogits(
    workspace,
    request.teacher,
    teacherData,
    set,
    everyImage,
    config.eval_batch,
    request.threads,
  );
  const teacherClass = Int32Array.from(everyImage, (i) => argmax(logits, i, classes));
  const labelled = new Set(
    config.label_weight > 0
      ? labelledFraction(set.labels, split.train, teacherRun.config.fraction, teacherRun.config.seed)
      : [],
  );
  const network = {
    ...teacherData.simclr,
    resnet_width: config.student_width || Math.max(1, Math.floor(teacherData.simclr.resnet_width / 2)),
    head_hidden: 0,
    seed: config.seed,
  };
  const shape: ClassifierShape = { ...shapeOf(teacherData.source), classes };
  // full batches only: a blank filler row would pull the student towards the uniform targets
  const batch = Math.min(config.batch_size, pool.length);
  const stepsPerEpoch = Math.floor(pool.length / batch);
  const program = distillProgram(
    network,
    shape,
    teacherData.source.normalisation,
    batch,
    config,
    stepsPerEpoch * config.epochs,
  );
  const perClass = new Array<number>(classes).fill(0);
  for (const i of labelled) perClass[set.labels[i]]++;
  const data: ClassifierData = resumed?.data ?? {
    from: request.teacher,
    simclr_run: teacherData.simclr_run,
    simclr: network,
    source: teacherData.source,
    labelled: labelled.size,
    labelled_per_class: perClass,
    labelled_validation: 0,
    pretrained_parameters: 0,
    weights: weightCount(program),
    batch,
    representation_dim: program.parameters.find((p) => p.name === 'classifier/w')!.shape[0],
  };
  const runId = classifierRunId(workspace, resumed, {
    datasetId: dataset.id,
    model: 'simclr2-distill',
    config,
    data,
    device: request.device,
  });
  const outcome = await recordRun(workspace, runId, () =>
    trainClassifier({
      workspace,
      runId,
      resume: resumed !== null,
      set,
      split: { validation: split.validation, test: split.test },
      program,
      network,
      shape,
      data,
      config,
      request,
      progress,
      examplesPerEpoch: stepsPerEpoch * batch,
      batches: function* (epoch, from) {
        const order = epochOrder(pool, config.seed, epoch);
        for (let at = from; at + batch <= order.length; at += batch) {
          const chosen = order.subarray(at, at + batch);
          const { images, labels } = imageBatch(set, chosen, batch);
          const teacher = new Float32Array(batch * classes);
          chosen.forEach((image, r) => {
            teacher.set(logits.subarray(image * classes, (image + 1) * classes), r * classes);
            if (!labelled.has(image)) labels[r] = -1n;
          });
          yield { batch: { images, labels, teacher_logits: teacher }, next: at + batch, examples: batch };
        }
      },
      epochMeans: { agreement: 'train/agreement' },
      validate: async (model, { epoch, step }) => {
        const { predicted } = await classify(set, split.validation, config.eval_batch, model, {
          signal: request.signal,
          onProgress: (done, total) => progress({ phase: 'validation', epoch, step, done, total }),
        });
        const agreement = agreementWith(teacherClass, split.validation, predicted);
        return { score: agreement, metrics: { 'val/agreement': agreement } };
      },
    }),
  );
  const student = await runLogits(
    workspace,
    runId,
    data,
    set,
    split.test,
    config.eval_batch,
    request.threads,
  );
  const studentClass = Int32Array.from(split.test, (_, k) => argmax(student, k, classes));
  const teacherHits = split.test.filter((image) => teacherClass[image] === set.labels[image]).length;
  const agreement = agreementWith(teacherClass, split.test, studentClass);
  workspace.runs.appendMetrics(runId, [{ name: 'test/agreement', step: outcome.steps, value: agreement }]);
  return {
    run: runId,
    model: 'simclr2-distill',
    config,
    data,
    ...outcome,
    teacher: request.teacher,
    teacher_top1: teacherHits / Math.max(1, split.test.length),
    agreement,
    student_width: network.resnet_width,
    teacher_width: teacherData.simclr.resnet_width,
    student_weights: data.weights,
    teacher_weights: teacherData.weights,
  };
}
