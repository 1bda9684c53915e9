// SimCLR v2's fine-tuning (Chen et al., NeurIPS 2020): a SimCLR run's encoder and the first layer of
// its projection head, a new linear classifier, all trained with cross-entropy on a labelled
// fraction of the run's images (the only place labels enter). With init scratch the same network
// starts from random values: the supervised baseline the paper compares against. The run's images
// and split are the SimCLR run's own (recomputed deterministically), so the test images are ones
// neither the pretraining nor the fine-tuning saw. The fraction holds for the validation images
// too: with 1 % of the labels, the epoch is chosen on 1 % of the validation images, so the labels a
// run sees are the fraction of all its non-test images, as the semi-supervised protocol counts
// them. Training goes through the shared loop; the finish reports test top-1 and the confusion
// matrix and stores the representation (the classifier's input) of every image.

import type { Program } from '../../onnx/program.ts';
import { readCheckpoint } from '../../onnx/runtime/checkpoint.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import type { TrainerThread } from '../../onnx/runtime/trainer-thread.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { codeVersion } from '../code-version.ts';
import { bestCheckpoint, runDirectory } from '../run-directory.ts';
import { SimclrConfig } from '../simclr/config.ts';
import { trainProgram } from '../simclr/model.ts';
import { type SimclrData, shapeOf } from '../simclr/train.ts';
import {
  type RunOutcome,
  recordRun,
  runTrainingLoop,
  type StepBatch,
  type ValidationResult,
} from '../training-loop.ts';
import { epochOrder, trainingBatches } from '../vision/batches.ts';
import type { ImageSet } from '../vision/image-set.ts';
import { ImageDatasetError } from '../vision/image-set.ts';
import { type Classifier, classifierRun, type SupervisedMetrics } from '../vit/evaluate.ts';
import { RunNotUsable } from '../vit/stored-run.ts';
import { runImages } from '../vit/train.ts';
import { type FinetuneConfig, resolveFinetuneConfig } from './config.ts';
import { labelledFraction } from './label-fraction.ts';
import { type ClassifierShape, classifierInference, finetuneProgram, startingFrom } from './model.ts';

export interface ClassifierProgress {
  phase: 'loading' | 'training' | 'validation' | 'test' | 'storing';
  epoch: number;
  step: number;
  loss?: number;
  lr?: number;
  images_per_s?: number;
  eta_s?: number;
  done?: number;
  total?: number;
}

export interface FinetuneRequest {
  /** the SimCLR run whose encoder (and architecture, images and split) the fine-tuning starts from */
  from: number;
  config: FinetuneConfig;
  /** a stopped fine-tuning of `from` to continue from its last checkpoint, with its own settings */
  resume?: number;
  device: DeviceChoice;
  threads?: number;
  onProgress?(progress: ClassifierProgress): void;
  signal?: AbortSignal;
}

/** What a fine-tuned (or distilled) classifier run stores beside its settings. */
export interface ClassifierData {
  /** the run it started from (fine-tuning: the SimCLR run; distillation: the teacher) */
  from: number;
  /** the SimCLR run whose images, split and normalisation the classifier uses */
  simclr_run: number;
  /** the SimCLR settings of the network (encoder, head), the data decisions of the SimCLR run */
  simclr: SimclrConfig;
  source: SimclrData;
  /** labelled training images used (distillation: 0 unless label_weight > 0), and of each class */
  labelled: number;
  labelled_per_class: number[];
  /** labelled validation images the best epoch is chosen on (distillation: 0, it uses no labels) */
  labelled_validation: number;
  /** parameter tensors taken from the SimCLR run (0 from scratch) */
  pretrained_parameters: number;
  /** learned values of the network */
  weights: number;
  batch: number;
  representation_dim: number;
}

export interface ClassifierResult extends RunOutcome {
  model: 'simclr2-finetune' | 'simclr2-distill';
  images_per_s: number;
  /** the best epoch's validation score: top-1 (distillation: agreement with the teacher) */
  validation_score: number;
  /** test top-1 and confusion */
  top1: number;
  test: SupervisedMetrics;
  embeddings: number;
  data: ClassifierData;
}

/** Values a program learns (trainable parameters, BatchNorm statistics left out). */
export function weightCount(program: Program): number {
  return program.parameters.filter((p) => p.trainable).reduce((n, p) => n + p.init.length, 0);
}

/** A finished run of `model`, its stored config, checked usable for `purpose`. */
export function storedRun<T>(workspace: Workspace, runId: number, models: string[], purpose: string) {
  const run = workspace.runs.get(runId);
  if (!run) throw new RunNotUsable(`no run ${runId} in ${workspace.path}`);
  if (!models.includes(run.model)) {
    throw new RunNotUsable(
      `run ${runId} is a ${run.model} run; ${purpose} needs a ${models.join(' or ')} run`,
    );
  }
  if (run.status !== 'done') throw new RunNotUsable(`run ${runId} is ${run.status}, not done`);
  const dataset = workspace.datasets.get(run.datasetId);
  if (!dataset) throw new RunNotUsable(`the dataset of run ${runId} was deleted`);
  return { run, dataset, config: run.config as unknown as T };
}

/**
 * The stopped classifier run a training continues (cancelled, paused or failed; started from
 * `from`), with its stored settings and data decisions. A resume recomputes its inputs (labelled
 * fraction, teacher outputs) from them, deterministically, and the loop loads its last checkpoint.
 */
export function stoppedClassifierRun<C>(
  workspace: Workspace,
  runId: number,
  model: ClassifierResult['model'],
  from: number,
): { run: number; config: C; data: ClassifierData } {
  const run = workspace.runs.get(runId);
  const stored = run?.config as unknown as (C & { data?: ClassifierData }) | undefined;
  if (!run || run.model !== model || stored?.data?.from !== from) {
    throw new RunNotUsable(`there is no ${model} run ${runId} from run ${from} to resume`);
  }
  if (run.status === 'done' || run.status === 'running') {
    throw new RunNotUsable(`run ${runId} is ${run.status}; only a stopped run resumes`);
  }
  const { data, ...config } = stored;
  return { run: runId, config: config as C, data: data! };
}

/** The run a classifier training records into: the one it resumes, or a new run with its settings. */
export function classifierRunId(
  workspace: Workspace,
  resumed: { run: number } | null,
  run: {
    datasetId: number;
    model: ClassifierResult['model'];
    config: { seed: number };
    data: ClassifierData;
    device: DeviceChoice;
  },
): number {
  return (
    resumed?.run ??
    workspace.runs.create({
      datasetId: run.datasetId,
      model: run.model,
      config: { ...run.config, data: run.data } as unknown as Record<string, unknown>,
      seed: run.config.seed,
      device: run.device,
      codeVersion: codeVersion(),
    }).id
  );
}

/** The encoder and head parameters of a SimCLR run's best checkpoint, by name. */
async function pretrainedParameters(
  workspace: Workspace,
  runId: number,
  simclr: SimclrConfig,
  source: SimclrData,
) {
  const program = trainProgram(
    simclr,
    shapeOf(source),
    source.normalisation,
    source.batch,
    2,
    source.accumulate,
  );
  const checkpoint = await readCheckpoint(bestCheckpoint(runDirectory(workspace.path, runId)), program).catch(
    (error: Error) => {
      throw new RunNotUsable(`run ${runId}: its best checkpoint cannot be read (${error.message})`);
    },
  );
  return checkpoint.parameters as Record<string, Float32Array>;
}

/** The SimCLR run's settings, data decisions, images and split. */
export async function simclrRunImages(workspace: Workspace, runId: number, purpose: string) {
  const { dataset, config } = storedRun<SimclrConfig & { data: SimclrData }>(
    workspace,
    runId,
    ['simclr'],
    purpose,
  );
  const { data: source, ...rest } = config;
  const simclr = SimclrConfig.parse(rest);
  const { set, split } = await runImages(workspace, dataset.name, simclr, {
    channels: source.channels,
    size: source.image_size,
  });
  if (set.classes.join('\n') !== source.classes.join('\n')) {
    throw new RunNotUsable(`dataset ${dataset.name} no longer has the classes run ${runId} was trained on`);
  }
  return { dataset, simclr, source, set, split };
}

export async function trainFinetune(
  workspace: Workspace,
  request: FinetuneRequest,
): Promise<ClassifierResult & { config: FinetuneConfig }> {
  const progress = request.onProgress ?? (() => {});
  const resumed =
    request.resume === undefined
      ? null
      : stoppedClassifierRun<FinetuneConfig>(workspace, request.resume, 'simclr2-finetune', request.from);
  const config = resumed ? resolveFinetuneConfig(resumed.config) : request.config;
  progress({ phase: 'loading', epoch: 0, step: 0 });
  const { dataset, simclr, source, set, split } = await simclrRunImages(
    workspace,
    request.from,
    'fine-tuning',
  );
  const labelled = labelledFraction(set.labels, split.train, config.fraction, config.seed);
  if (labelled.length === 0) {
    throw new ImageDatasetError(
      `dataset ${dataset.name}: run ${request.from}'s split has no labelled training images`,
    );
  }
  const validation =
    split.validation.length > 0
      ? labelledFraction(set.labels, split.validation, config.fraction, config.seed)
      : split.validation;
  const shape: ClassifierShape = { ...shapeOf(source), classes: set.classes.length };
  const batch = Math.min(config.batch_size, labelled.length);
  const updates = Math.ceil(labelled.length / batch) * config.epochs;
  let program = finetuneProgram(simclr, shape, source.normalisation, batch, config, updates);
  let pretrained = 0;
  // a resumed run's parameters come from its checkpoint
  if (config.init === 'pretrained' && !resumed) {
    const values = await pretrainedParameters(workspace, request.from, simclr, source);
    const taken = Object.fromEntries(
      program.parameters.filter((p) => p.name in values).map((p) => [p.name, values[p.name]]),
    );
    pretrained = Object.keys(taken).length;
    program = startingFrom(program, taken);
  }
  const perClass = new Array<number>(set.classes.length).fill(0);
  for (const i of labelled) perClass[set.labels[i]]++;
  const data: ClassifierData = resumed?.data ?? {
    from: request.from,
    simclr_run: request.from,
    simclr,
    source,
    labelled: labelled.length,
    labelled_per_class: perClass,
    labelled_validation: validation.length,
    pretrained_parameters: pretrained,
    weights: weightCount(program),
    batch,
    representation_dim:
      simclr.head_layers < 2 ? source.representation_dim : simclr.head_hidden || source.representation_dim,
  };
  const runId = classifierRunId(workspace, resumed, {
    datasetId: dataset.id,
    model: 'simclr2-finetune',
    config,
    data,
    device: request.device,
  });
  const augmentation = { flip: config.flip, shift: config.shift };
  const outcome = await recordRun(workspace, runId, () =>
    trainClassifier({
      workspace,
      runId,
      resume: resumed !== null,
      set,
      split: { validation, test: split.test },
      program,
      network: simclr,
      shape,
      data,
      config,
      request,
      progress,
      examplesPerEpoch: labelled.length,
      batches: function* (epoch, from) {
        const order = epochOrder(labelled, config.seed, epoch);
        for (const b of trainingBatches(set, order, batch, augmentation, config.seed, epoch, from)) {
          const { seed: _seed, ...images } = b.batch;
          yield { batch: images, next: b.next, examples: b.images };
        }
      },
      epochMeans: { correct: 'train/top1' },
    }),
  );
  return { run: runId, model: 'simclr2-finetune', config, data, ...outcome };
}

type Outcome = Omit<ClassifierResult, 'run' | 'model' | 'seconds' | 'cpu_seconds' | 'data'>;

/** A classifier run's training: what fine-tuning and distillation hand the shared loop. */
export interface ClassifierTraining {
  workspace: Workspace;
  runId: number;
  /** continue the run from its last checkpoint */
  resume: boolean;
  set: ImageSet;
  /** the images the best epoch is chosen on, and the test images */
  split: { validation: Int32Array; test: Int32Array };
  program: Program;
  network: SimclrConfig;
  shape: ClassifierShape;
  data: ClassifierData;
  config: Pick<FinetuneConfig, 'epochs' | 'patience' | 'time_limit_s' | 'eval_batch' | 'lr'>;
  request: { device: DeviceChoice; threads?: number; signal?: AbortSignal };
  progress: (p: ClassifierProgress) => void;
  examplesPerEpoch: number;
  batches(epoch: number, from: number): Iterator<StepBatch>;
  /** per-step metrics stored as their mean per image over an epoch */
  epochMeans: Record<string, string>;
  /** the validation score when it is not the top-1 on the validation images' labels */
  validate?: (model: Classifier, at: { epoch: number; step: number }) => Promise<ValidationResult>;
}

/**
 * The shared loop with a classifier's validation (top-1, or the model's own score) choosing the
 * best epoch; the finish scores the test images and stores every image's representation.
 */
export function trainClassifier(t: ClassifierTraining): Promise<Outcome> {
  const { config, data, request, progress } = t;
  const evaluation = classifierInference(t.network, t.shape, data.source.normalisation, config.eval_batch);
  const modelOf =
    (thread: TrainerThread): Classifier =>
    async (images) =>
      (await thread.evaluate({ images })).outputs;
  const classifier = classifierRun({
    workspace: t.workspace,
    runId: t.runId,
    set: t.set,
    split: t.split,
    evalBatch: config.eval_batch,
    dim: data.representation_dim,
    signal: request.signal,
    progress,
    modelOf,
  });
  const ownValidation = t.validate;
  return runTrainingLoop({
    workspace: t.workspace,
    run: t.runId,
    program: t.program,
    evaluation,
    device: request.device,
    threads: request.threads,
    resume: t.resume,
    epochs: config.epochs,
    patience: config.patience,
    timeLimitS: config.time_limit_s,
    examplesPerEpoch: t.examplesPerEpoch,
    batches: t.batches,
    validate: ownValidation
      ? (thread, at) => ownValidation(modelOf(thread), at)
      : (thread, at) => classifier.validate(thread, at),
    validates: t.split.validation.length > 0,
    epochMeans: t.epochMeans,
    divergenceAdvice: `lower lr (now ${config.lr})`,
    onTraining: ({ rate, ...p }) => progress({ phase: 'training', ...p, images_per_s: rate }),
    signal: request.signal,
    finish: async (thread, summary) => {
      const { test, embeddings } = await classifier.testAndStore(thread, summary);
      const { examples_per_s, best_score, ...rest } = summary;
      return {
        ...rest,
        images_per_s: examples_per_s,
        validation_score: Math.max(0, best_score),
        top1: test.top1,
        test,
        embeddings,
      };
    },
  });
}
