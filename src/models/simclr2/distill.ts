// SimCLR v2's distillation: a fine-tuned teacher's logits on every training image (labelled or not),
// computed once, are the targets of a smaller student (the same network at a lower ResNet width)
// trained from scratch on the teacher's temperature-scaled softmax, optionally mixed with the
// cross-entropy of the teacher's labelled fraction. The teacher's logits are of the unaugmented
// images, so training images are not shifted or flipped here. Test top-1 and the student's
// agreement with the teacher on the test images are reported.
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import type { Batch } from '../../onnx/runtime/trainer.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { codeVersion } from '../code-version.ts';
import { shapeOf } from '../simclr/train.ts';
import { recordRun } from '../training-loop.ts';
import { imageBatch } from '../vision/batches.ts';
import type { ImageSet } from '../vision/image-set.ts';
import { bestParametersSession } from '../vit/stored-run.ts';
import type { DistillConfig, FinetuneConfig } from './config.ts';
import {
  type ClassifierData,
  type ClassifierProgress,
  type ClassifierResult,
  simclrRunImages,
  storedRun,
  trainClassifier,
} from './finetune.ts';
import { labelledFraction } from './label-fraction.ts';
import { type ClassifierShape, classifierInference, distillProgram } from './model.ts';

export interface DistillRequest {
  /** a fine-tuned (or distilled) classifier run */
  teacher: number;
  config: DistillConfig;
  device: DeviceChoice;
  threads?: number;
  onProgress?(progress: ClassifierProgress): void;
  signal?: AbortSignal;
}

export interface DistillResult extends ClassifierResult {
  teacher_top1: number;
  /** test images where the student's class is the teacher's */
  agreement: number;
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
  const { default: ort } = await import('onnxruntime-node');
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

export async function trainDistill(workspace: Workspace, request: DistillRequest): Promise<DistillResult> {
  const progress = request.onProgress ?? (() => {});
  const { config } = request;
  progress({ phase: 'loading', epoch: 0, step: 0 });
  const teacherRun = storedRun<FinetuneConfig & { data: ClassifierData; teacher_top1?: number }>(
    workspace,
    request.teacher,
    ['simclr2-finetune', 'simclr2-distill'],
    'distillation',
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
  const fraction = (teacherRun.config as Partial<FinetuneConfig>).fraction ?? 1;
  const labelled = new Set(labelledFraction(set.labels, split.train, fraction, teacherRun.config.seed));
  const network = {
    ...teacherData.simclr,
    resnet_width: config.student_width || Math.max(1, Math.floor(teacherData.simclr.resnet_width / 2)),
    head_hidden: 0,
    seed: config.seed,
  };
  const shape: ClassifierShape = { ...shapeOf(teacherData.source), classes };
  const batch = Math.min(config.batch_size, pool.length);
  const updates = Math.ceil(pool.length / batch) * config.epochs;
  const program = distillProgram(network, shape, teacherData.source.normalisation, batch, config, updates);
  const representation = program.parameters.find((p) => p.name === 'classifier/w')!.shape[0];
  const data: ClassifierData = {
    from: request.teacher,
    simclr_run: teacherData.simclr_run,
    simclr: network,
    source: teacherData.source,
    labelled: config.label_weight > 0 ? labelled.size : 0,
    labelled_per_class: [],
    pretrained_parameters: 0,
    batch,
    representation_dim: representation,
  };
  const run = workspace.runs.create({
    datasetId: dataset.id,
    model: 'simclr2-distill',
    config: { ...config, data } as unknown as Record<string, unknown>,
    seed: config.seed,
    device: request.device,
    codeVersion: codeVersion(),
  });
  // targets of each row: the teacher's logits; labels only of the labelled fraction (else -1)
  const extend = (b: Batch, chosen: Int32Array): Batch => {
    const teacher = new Float32Array(batch * classes);
    const labels = b.labels as BigInt64Array;
    chosen.forEach((image, r) => {
      teacher.set(logits.subarray(image * classes, (image + 1) * classes), r * classes);
      if (!labelled.has(image)) labels[r] = -1n;
    });
    // filler rows of a short last batch: uniform targets, which the padding's zero logits already give
    return { ...b, labels, teacher_logits: teacher };
  };
  const outcome = await recordRun(workspace, run.id, () =>
    trainClassifier(
      workspace,
      run.id,
      set,
      split,
      pool,
      program,
      { ...config, shift: 0, flip: false },
      data,
      network,
      shape,
      request,
      progress,
      extend,
    ),
  );
  const student = await runLogits(
    workspace,
    run.id,
    data,
    set,
    split.test,
    config.eval_batch,
    request.threads,
  );
  let agreeing = 0;
  let teacherHits = 0;
  split.test.forEach((image, k) => {
    const teacherClass = argmax(logits, image, classes);
    if (teacherClass === set.labels[image]) teacherHits++;
    if (teacherClass === argmax(student, k, classes)) agreeing++;
  });
  const tested = Math.max(1, split.test.length);
  return {
    run: run.id,
    model: 'simclr2-distill',
    data,
    ...outcome,
    teacher_top1: teacherHits / tested,
    agreement: agreeing / tested,
  };
}

function argmax(logits: Float32Array, row: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (logits[row * classes + c] > logits[row * classes + best]) best = c;
  return best;
}
