// A SimCLR run from start to stored results, without labels in training: the images are decoded
// once, split as ViT splits them (labels only decide which images validate and test), and every
// image outside the test part trains, labelled or not. Each step takes full batches of R images in
// the epoch's seeded order (the remainder waits for the next epoch's order, so each step has the
// same 2R views) and the two views of each from the SimCLR augmentation. The shared training loop
// steps, checkpoints and stops; after each epoch the k-NN top-1 of the encoder's representation h
// (memory: training images, queries: validation images) picks the best checkpoint. At the end h of
// every image is stored as the run's embeddings and the same k-NN scores the test images.

import { defaultK, knnTop1 } from '../../eval/knn.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import type { TrainerThread } from '../../onnx/runtime/trainer-thread.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { codeVersion } from '../code-version.ts';
import {
  loopSettings,
  type RunOutcome,
  recordRun,
  runTrainingLoop,
  type ValidationResult,
} from '../training-loop.ts';
import { type Augmentation, simclrAugmentation, viewPairs } from '../vision/augment.ts';
import { epochOrder, imageBatch } from '../vision/batches.ts';
import { channelStats, commonShape, ImageDatasetError, type ImageSet } from '../vision/image-set.ts';
import type { ImageSplit, SplitStats } from '../vision/splits.ts';
import { patchSize } from '../vit/config.ts';
import type { Normalisation } from '../vit/model.ts';
import { runImages } from '../vit/train.ts';
import { resnetStages, SimclrConfig } from './config.ts';
import { inferenceProgram, representationDim, type SimclrShape, trainProgram, vitSettings } from './model.ts';

export interface SimclrProgress {
  phase: 'loading' | 'training' | 'validation' | 'storing';
  epoch: number;
  step: number;
  loss?: number;
  lr?: number;
  images_per_s?: number;
  /** seconds left in the training phase at the current speed */
  eta_s?: number;
  /** the share of the training phase done (0 to 1) */
  trained?: number;
  done?: number;
  total?: number;
}

export interface SimclrTrainRequest {
  dataset: string;
  config: SimclrConfig;
  device: DeviceChoice;
  threads?: number;
  /** continue this cancelled run from its last checkpoint instead of starting one */
  resume?: number;
  onProgress?(progress: SimclrProgress): void;
  signal?: AbortSignal;
}

/** What the data decided for the run, stored with its config. */
export interface SimclrData {
  channels: 1 | 3;
  image_size: number;
  /** ResNet stages, or the ViT patch, for this image size */
  stages: number;
  patch: number;
  /** width of h, the stored representation */
  representation_dim: number;
  classes: string[];
  normalisation: Normalisation;
  split: SplitStats;
  /** images that train: every image outside the test part, labelled or not */
  train_images: number;
  /** images per step (2 x as many views): micro_batch or batch_size, at most the training images */
  batch: number;
  /** steps whose gradients one update averages */
  accumulate: number;
  /** images brought to the run's size / channel count */
  resized: number;
  converted: number;
}

export interface SimclrTrainResult extends RunOutcome {
  model: 'simclr';
  images_per_s: number;
  data: SimclrData;
  /** k-NN top-1 of h on the validation images at the best epoch (0 without validation images) */
  validation_knn_top1: number;
  /** the same k-NN (memory: every training image) on the test images */
  test_knn_top1: number;
  embeddings: number;
}

export const shapeOf = (data: SimclrData): SimclrShape => ({
  channels: data.channels,
  size: data.image_size,
  stages: data.stages,
  patch: data.patch,
});

/** The run's augmentation: the paper's at colour strength `colour`, with its crop, flip and blur settings. */
export function augmentationOf(config: SimclrConfig): Augmentation {
  const paper = simclrAugmentation(config.colour);
  return {
    ...paper,
    crop: { ...paper.crop, scale: [config.crop_min, 1] },
    flip: config.flip,
    blur: { ...paper.blur, probability: config.blur },
  };
}

/** Images outside the test part: the labelled training ones and the unlabelled ones. */
function trainingImages(set: ImageSet, split: ImageSplit): Int32Array {
  const unlabelled: number[] = [];
  for (let i = 0; i < set.count; i++) {
    if (set.labels[i] < 0 && set.sourceSplit[i] !== 'test') unlabelled.push(i);
  }
  return Int32Array.from([...split.train, ...unlabelled]).sort();
}

/** h of `images`, `rows` at a time through `model`. */
async function representations(
  set: ImageSet,
  images: Int32Array,
  rows: number,
  dim: number,
  thread: TrainerThread,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<Float32Array> {
  const out = new Float32Array(images.length * dim);
  for (let at = 0; at < images.length; at += rows) {
    if (options.signal?.aborted) {
      const error = new Error('evaluation cancelled');
      error.name = 'AbortError';
      throw error;
    }
    const chosen = images.subarray(at, Math.min(at + rows, images.length));
    const { outputs } = await thread.evaluate({ images: imageBatch(set, chosen, rows).images });
    out.set((outputs.embedding as Float32Array).subarray(0, chosen.length * dim), at * dim);
    options.onProgress?.(at + chosen.length, images.length);
  }
  return out;
}

/** Rows `rows` of a rows x dim matrix. */
function gather(matrix: Float32Array, dim: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    out.set(matrix.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  return out;
}

/** Weighted k-NN top-1 of `queries` against `memory` (images and their h), labels from the set. */
function knnScore(
  set: ImageSet,
  memory: { images: Int32Array; h: Float32Array },
  queries: { images: Int32Array; h: Float32Array },
  dim: number,
  k: number,
): Promise<number> {
  // without labelled training images there is nothing to vote
  if (memory.images.length === 0) return Promise.resolve(0);
  const labels = (images: Int32Array) => Int32Array.from(images, (i) => set.labels[i]);
  return knnTop1(
    memory.h,
    labels(memory.images),
    queries.h,
    labels(queries.images),
    dim,
    set.classes.length,
    {
      k: k || defaultK(memory.images.length),
      temperature: 0.1,
    },
  );
}

export async function trainSimclr(
  workspace: Workspace,
  request: SimclrTrainRequest,
): Promise<SimclrTrainResult> {
  const progress = request.onProgress ?? (() => {});
  const dataset = workspace.datasets.require(request.dataset);
  const resumed = request.resume === undefined ? null : workspace.runs.get(request.resume);
  if (
    request.resume !== undefined &&
    (!resumed || resumed.datasetId !== dataset.id || resumed.model !== 'simclr')
  ) {
    throw new Error(`there is no SimCLR run ${request.resume} of dataset ${request.dataset} to resume`);
  }
  progress({ phase: 'loading', epoch: 0, step: 0 });
  const stored = resumed?.config as unknown as (SimclrConfig & { data: SimclrData }) | undefined;
  // parsed again so a run stored before a setting existed resumes with that setting's default
  const config: SimclrConfig = stored ? SimclrConfig.parse(stored) : request.config;
  let channels: 1 | 3;
  let size: number;
  if (stored) ({ channels, image_size: size } = stored.data);
  else {
    const common = commonShape(workspace, request.dataset);
    channels = common.channels;
    size = config.image_size || Math.max(common.height, common.width);
  }
  const { set, split, stats } = await runImages(
    workspace,
    request.dataset,
    config,
    { channels, size },
    (done, total) => progress({ phase: 'loading', epoch: 0, step: 0, done, total }),
  );
  const pool = trainingImages(set, split);
  if (pool.length < 2) {
    throw new ImageDatasetError(
      `dataset ${request.dataset}: SimCLR needs at least 2 training images to contrast, found ${pool.length}`,
    );
  }
  const perStep = Math.min(config.micro_batch || config.batch_size, pool.length);
  const shape: SimclrShape = {
    channels,
    size,
    stages: resnetStages(config, size),
    patch: config.encoder === 'vit' ? patchSize(vitSettings(config), size) : 0,
  };
  const data: SimclrData = stored?.data ?? {
    channels,
    image_size: size,
    stages: shape.stages,
    patch: shape.patch,
    representation_dim: representationDim(config, shape),
    classes: set.classes,
    normalisation: channelStats(set, pool),
    split: stats,
    train_images: pool.length,
    batch: perStep,
    accumulate: Math.max(1, Math.round(Math.min(config.batch_size, pool.length) / perStep)),
    resized: set.resized,
    converted: set.converted,
  };
  const run =
    resumed ??
    workspace.runs.create({
      datasetId: dataset.id,
      model: 'simclr',
      config: { ...config, data } as unknown as Record<string, unknown>,
      seed: config.seed,
      device: request.device,
      codeVersion: codeVersion(),
    });
  const outcome = await recordRun(workspace, run.id, () =>
    train(workspace, set, split, pool, config, data, request, run.id, progress),
  );
  return { run: run.id, model: 'simclr', data, ...outcome };
}

type Outcome = Omit<SimclrTrainResult, 'run' | 'model' | 'seconds' | 'cpu_seconds' | 'data'>;

function train(
  workspace: Workspace,
  set: ImageSet,
  split: ImageSplit,
  pool: Int32Array,
  config: SimclrConfig,
  data: SimclrData,
  request: SimclrTrainRequest,
  runId: number,
  progress: (p: SimclrProgress) => void,
): Promise<Outcome> {
  const rows = data.batch;
  const dim = data.representation_dim;
  const stepsPerEpoch = Math.floor(pool.length / rows);
  const shape = shapeOf(data);
  const updates = Math.ceil((stepsPerEpoch * config.epochs) / data.accumulate);
  const program = trainProgram(config, shape, data.normalisation, rows, updates, data.accumulate);
  const evaluation = inferenceProgram(config, shape, data.normalisation, config.eval_batch);
  const augmentation = augmentationOf(config);
  // a fixed sample of the training images as the validation memory, the same every epoch
  const labelledTrain = epochOrder(split.train, config.seed, -1);
  const memoryImages = (config.knn_memory > 0 ? labelledTrain.subarray(0, config.knn_memory) : labelledTrain)
    .slice()
    .sort();
  return runTrainingLoop({
    workspace,
    run: runId,
    program,
    evaluation,
    ...loopSettings(request, config),
    examplesPerEpoch: stepsPerEpoch * rows,
    batches: function* (epoch, from) {
      const order = epochOrder(pool, config.seed, epoch);
      for (let at = from; at + rows <= order.length; at += rows) {
        const images = viewPairs(set, order.subarray(at, at + rows), rows, augmentation, config.seed, epoch);
        yield { batch: { images }, next: at + rows, examples: rows };
      }
    },
    validate: async (thread, { epoch, step }): Promise<ValidationResult> => {
      const both = Int32Array.from([...memoryImages, ...split.validation]);
      const h = await representations(set, both, config.eval_batch, dim, thread, {
        signal: request.signal,
        onProgress: (done, total) => progress({ phase: 'validation', epoch, step, done, total }),
      });
      const memory = { images: memoryImages, h: h.subarray(0, memoryImages.length * dim) };
      const queries = { images: split.validation, h: h.subarray(memoryImages.length * dim) };
      const top1 = await knnScore(set, memory, queries, dim, config.knn_k);
      return { score: top1, metrics: { 'val/knn_top1': top1 } };
    },
    validates: split.validation.length > 0,
    epochMeans: { correct: 'train/contrastive_top1' },
    divergenceAdvice: `lower lr (now ${config.lr}) or raise temperature (now ${config.temperature})`,
    onTraining: ({ rate, ...p }) => progress({ phase: 'training', ...p, images_per_s: rate }),
    signal: request.signal,
    finish: async (thread, summary) => {
      const at = { epoch: summary.epochs, step: summary.steps };
      progress({ phase: 'storing', ...at });
      const everyImage = Int32Array.from({ length: set.count }, (_, i) => i);
      const h = await representations(set, everyImage, config.eval_batch, dim, thread, {
        signal: request.signal,
        onProgress: (done, total) => progress({ phase: 'storing', ...at, done, total }),
      });
      workspace.embeddings.put(runId, { entityIds: set.entityIds, dim, vectors: h });
      const test = await knnScore(
        set,
        { images: split.train, h: gather(h, dim, split.train) },
        { images: split.test, h: gather(h, dim, split.test) },
        dim,
        config.knn_k,
      );
      workspace.runs.appendMetrics(runId, [{ name: 'test/knn_top1', step: summary.steps, value: test }]);
      const { examples_per_s, best_score, ...rest } = summary;
      return {
        ...rest,
        images_per_s: examples_per_s,
        validation_knn_top1: Math.max(0, best_score),
        test_knn_top1: test,
        embeddings: set.count,
      };
    },
  });
}
