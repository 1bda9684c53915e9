// A contrastive-pairs run from start to stored results: the images decoded once into a byte tensor
// and split as every image run splits them (the dataset's own test split or a seeded stratified
// one, validation out of the training part); the Siamese encoder trains on balanced similar /
// dissimilar pairs of training images through the shared training loop (checkpoints, cancel,
// resume, divergence stop, patience); after each epoch the weighted k-NN top-1 of the validation
// images against the training images' embeddings picks the best checkpoint. At the end every
// image's embedding is stored as the run's representations and the test images' k-NN top-1 is
// reported (`eval RUN --protocol linear | knn` evaluates them further).

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
import { imageBatch } from '../vision/batches.ts';
import {
  channelStats,
  commonShape,
  ImageDatasetError,
  type ImageSet,
  loadImageSet,
} from '../vision/image-set.ts';
import { type ImageSplit, type SplitStats, splitImages } from '../vision/splits.ts';
import type { Normalisation } from '../vit/model.ts';
import type { ContrastivePairsConfig } from './config.ts';
import { inferenceProgram, trainProgram } from './model.ts';
import { PairSampler, pairsPerEpoch } from './pairs.ts';

export interface ContrastivePairsProgress {
  phase: 'loading' | 'training' | 'validation' | 'storing';
  epoch: number;
  step: number;
  loss?: number;
  lr?: number;
  pairs_per_s?: number;
  eta_s?: number;
  done?: number;
  total?: number;
}

export interface ContrastivePairsRequest {
  dataset: string;
  config: ContrastivePairsConfig;
  device: DeviceChoice;
  threads?: number;
  /** continue this cancelled run from its last checkpoint instead of starting one */
  resume?: number;
  onProgress?(progress: ContrastivePairsProgress): void;
  signal?: AbortSignal;
}

/** What the data decided for the run, stored with its config. */
export interface ContrastivePairsData {
  channels: 1 | 3;
  image_size: number;
  classes: string[];
  normalisation: Normalisation;
  split: SplitStats;
  /** pairs per step: batch_size, or the training set when it is smaller */
  batch: number;
  /** neighbours of the validation and test k-NN */
  knn_k: number;
  resized: number;
  converted: number;
}

export interface ContrastivePairsResult extends RunOutcome {
  model: 'contrastive-pairs';
  pairs_per_s: number;
  data: ContrastivePairsData;
  /** weighted k-NN top-1 of the validation images at the best epoch */
  validation_knn_top1: number;
  /** the same for the test images, with the best epoch's encoder */
  test_knn_top1: number;
  embeddings: number;
}

/** The τ of the k-NN that validates the run (the evaluation protocol's default). */
const knnTemperature = 0.1;

/** The embeddings of `images`, `rows` at a time through `model`. */
async function embed(
  set: ImageSet,
  images: Int32Array,
  rows: number,
  dim: number,
  model: (images: Uint8Array) => Promise<Float32Array>,
  { signal, onProgress }: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<Float32Array> {
  const out = new Float32Array(images.length * dim);
  for (let at = 0; at < images.length; at += rows) {
    if (signal?.aborted) {
      const error = new Error('evaluation cancelled');
      error.name = 'AbortError';
      throw error;
    }
    const chosen = images.subarray(at, Math.min(at + rows, images.length));
    const embedding = await model(imageBatch(set, chosen, rows).images);
    out.set(embedding.subarray(0, chosen.length * dim), at * dim);
    onProgress?.(at + chosen.length, images.length);
  }
  return out;
}

/** Rows of `vectors` for the images `part`, given each image's row. */
function rowsOf(vectors: Float32Array, dim: number, part: Int32Array): Float32Array {
  const out = new Float32Array(part.length * dim);
  for (let k = 0; k < part.length; k++)
    out.set(vectors.subarray(part[k] * dim, (part[k] + 1) * dim), k * dim);
  return out;
}

/** k-NN top-1 of the `queries` images against the `memory` images, by their embeddings. */
function top1(
  set: ImageSet,
  memory: { vectors: Float32Array; images: Int32Array },
  queries: { vectors: Float32Array; images: Int32Array },
  dim: number,
  k: number,
): Promise<number> {
  const labels = (images: Int32Array) => Int32Array.from(images, (i) => set.labels[i]);
  return knnTop1(
    memory.vectors,
    labels(memory.images),
    queries.vectors,
    labels(queries.images),
    dim,
    set.classes.length,
    { k, temperature: knnTemperature },
  );
}

export async function trainContrastivePairs(
  workspace: Workspace,
  request: ContrastivePairsRequest,
): Promise<ContrastivePairsResult> {
  const progress = request.onProgress ?? (() => {});
  const dataset = workspace.datasets.require(request.dataset);
  const resumed = request.resume === undefined ? null : workspace.runs.get(request.resume);
  if (
    request.resume !== undefined &&
    (!resumed || resumed.datasetId !== dataset.id || resumed.model !== 'contrastive-pairs')
  ) {
    throw new Error(
      `there is no contrastive-pairs run ${request.resume} of dataset ${request.dataset} to resume`,
    );
  }
  progress({ phase: 'loading', epoch: 0, step: 0 });
  const stored = resumed?.config as unknown as
    | (ContrastivePairsConfig & { data: ContrastivePairsData })
    | undefined;
  const config: ContrastivePairsConfig = stored ?? request.config;
  let channels: 1 | 3;
  let size: number;
  if (stored) ({ channels, image_size: size } = stored.data);
  else {
    const common = commonShape(workspace, request.dataset);
    channels = common.channels;
    size = config.image_size || Math.max(common.height, common.width);
  }
  const set = await loadImageSet(
    workspace,
    request.dataset,
    { channels, height: size, width: size },
    (done, total) => progress({ phase: 'loading', epoch: 0, step: 0, done, total }),
  );
  const { split, stats } = splitImages(set, {
    testFraction: config.test_fraction,
    validationFraction: config.validation_fraction,
    seed: config.seed,
  });
  if (set.classes.length < 2) {
    throw new ImageDatasetError(
      `dataset ${request.dataset}: similar and dissimilar pairs need images of at least 2 classes, found ${set.classes.length}`,
    );
  }
  if (split.train.length === 0)
    throw new ImageDatasetError(`dataset ${request.dataset}: no labelled training images`);
  const data: ContrastivePairsData = stored?.data ?? {
    channels,
    image_size: size,
    classes: set.classes,
    normalisation: channelStats(set, split.train),
    split: stats,
    batch: Math.min(config.batch_size, split.train.length),
    knn_k: config.knn_k || defaultK(split.train.length),
    resized: set.resized,
    converted: set.converted,
  };
  const run =
    resumed ??
    workspace.runs.create({
      datasetId: dataset.id,
      model: 'contrastive-pairs',
      config: { ...config, data } as unknown as Record<string, unknown>,
      seed: config.seed,
      device: request.device,
      codeVersion: codeVersion(),
    });
  const outcome = await recordRun(workspace, run.id, () =>
    train(workspace, set, split, config, data, request, run.id, progress),
  );
  return { run: run.id, model: 'contrastive-pairs', data, ...outcome };
}

type Outcome = Omit<ContrastivePairsResult, 'run' | 'model' | 'seconds' | 'cpu_seconds' | 'data'>;

function train(
  workspace: Workspace,
  set: ImageSet,
  split: ImageSplit,
  config: ContrastivePairsConfig,
  data: ContrastivePairsData,
  request: ContrastivePairsRequest,
  runId: number,
  progress: (p: ContrastivePairsProgress) => void,
): Promise<Outcome> {
  const rows = data.batch;
  const perEpoch = pairsPerEpoch(split.train.length, rows);
  const shape = { channels: data.channels, size: data.image_size };
  const program = trainProgram(config, shape, data.normalisation, rows, (perEpoch / rows) * config.epochs);
  const evaluation = inferenceProgram(config, shape, data.normalisation, config.eval_batch);
  const sampler = new PairSampler(set, split.train, config.seed);
  const modelOf = (thread: TrainerThread) => async (images: Uint8Array) =>
    (await thread.evaluate({ images })).outputs.embedding as Float32Array;
  const embedOf = (
    thread: TrainerThread,
    images: Int32Array,
    phase: ContrastivePairsProgress['phase'],
    at: { epoch: number; step: number },
  ) =>
    embed(set, images, config.eval_batch, config.dim, modelOf(thread), {
      signal: request.signal,
      onProgress: (done, total) => progress({ phase, ...at, done, total }),
    });
  return runTrainingLoop({
    workspace,
    run: runId,
    program,
    evaluation,
    ...loopSettings(request, config),
    examplesPerEpoch: perEpoch,
    batches: (epoch, from) => sampler.batches(epoch, rows, from),
    validate: async (thread, at): Promise<ValidationResult> => {
      const seen = Int32Array.from([...split.train, ...split.validation]);
      const vectors = await embedOf(thread, seen, 'validation', at);
      const trained = split.train.length * config.dim;
      const score = await top1(
        set,
        { vectors: vectors.subarray(0, trained), images: split.train },
        { vectors: vectors.subarray(trained), images: split.validation },
        config.dim,
        data.knn_k,
      );
      return { score, metrics: { 'val/knn_top1': score } };
    },
    validates: split.validation.length > 0,
    divergenceAdvice: `lower lr (now ${config.lr}) or clip_norm`,
    onTraining: ({ rate, ...p }) => progress({ phase: 'training', ...p, pairs_per_s: rate }),
    signal: request.signal,
    finish: async (thread, summary) => {
      const at = { epoch: summary.epochs, step: summary.steps };
      const everyImage = Int32Array.from({ length: set.count }, (_, i) => i);
      const vectors = await embedOf(thread, everyImage, 'storing', at);
      const test = await top1(
        set,
        { vectors: rowsOf(vectors, config.dim, split.train), images: split.train },
        { vectors: rowsOf(vectors, config.dim, split.test), images: split.test },
        config.dim,
        data.knn_k,
      );
      workspace.runs.appendMetrics(runId, [{ name: 'test/knn_top1', step: summary.steps, value: test }]);
      workspace.embeddings.put(runId, { entityIds: set.entityIds, dim: config.dim, vectors });
      const { examples_per_s, best_score, ...rest } = summary;
      return {
        ...rest,
        pairs_per_s: examples_per_s,
        validation_knn_top1: best_score,
        test_knn_top1: test,
        embeddings: set.count,
      };
    },
  });
}
