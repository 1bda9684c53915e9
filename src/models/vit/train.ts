// A ViT run from start to stored results: the images are decoded once into a byte tensor, split
// (the dataset's own test split, or a seeded stratified one), and the run is recorded with the
// sizes the data decided (image size, patch, channels, normalisation). The shared training loop
// (../training-loop.ts) steps, checkpoints, validates (top-1 after every epoch) and stops; at the
// end the best parameters are scored on the test split (top-1, confusion matrix) and every image's
// [CLS] representation is stored as the run's embeddings.
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import type { TrainerThread } from '../../onnx/runtime/trainer-thread.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { codeVersion } from '../code-version.ts';
import { loopSettings, type RunOutcome, recordRun, runTrainingLoop } from '../training-loop.ts';
import { epochOrder, trainingBatches } from '../vision/batches.ts';
import {
  channelStats,
  commonShape,
  ImageDatasetError,
  type ImageSet,
  loadImageSet,
} from '../vision/image-set.ts';
import { type SplitStats, splitImages } from '../vision/splits.ts';
import { type PresetChoice, patchSize, resolveConfig, type VitConfig, type VitShape } from './config.ts';
import { classifierRun, type SupervisedMetrics } from './evaluate.ts';
import { inferenceProgram, type Normalisation, trainProgram } from './model.ts';

export interface VitProgress {
  phase: 'loading' | 'training' | 'validation' | 'test' | 'storing';
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

export interface VitTrainRequest {
  dataset: string;
  /** the settings, or a preset and overrides resolved once the images' side is known */
  config: VitConfig | PresetChoice;
  device: DeviceChoice;
  threads?: number;
  /** continue this cancelled run from its last checkpoint instead of starting one */
  resume?: number;
  onProgress?(progress: VitProgress): void;
  signal?: AbortSignal;
}

/** What the data decided for the run, stored with its config. */
export interface VitData {
  channels: 1 | 3;
  image_size: number;
  patch: number;
  classes: string[];
  normalisation: Normalisation;
  split: SplitStats;
  /** rows of a training step: batch_size, or the training set when it is smaller */
  batch: number;
  /** images brought to the run's size / channel count */
  resized: number;
  converted: number;
}

export interface VitTrainResult extends RunOutcome {
  model: 'vit';
  images_per_s: number;
  data: VitData;
  validation_top1: number;
  test: SupervisedMetrics;
  embeddings: number;
}

/** The model's sizes from a stored run's data. */
export const shapeOf = (data: VitData): VitShape => ({
  channels: data.channels,
  size: data.image_size,
  patch: data.patch,
  classes: data.classes.length,
});

/** The images of a dataset at a run's shape, split as the run splits them. */
export async function runImages(
  workspace: Workspace,
  dataset: string,
  config: Pick<VitConfig, 'test_fraction' | 'validation_fraction' | 'seed'>,
  shape: { channels: 1 | 3; size: number },
  onProgress?: (done: number, total: number) => void,
) {
  const set = await loadImageSet(
    workspace,
    dataset,
    { channels: shape.channels, height: shape.size, width: shape.size },
    onProgress,
  );
  const { split, stats } = splitImages(set, {
    testFraction: config.test_fraction,
    validationFraction: config.validation_fraction,
    seed: config.seed,
  });
  return { set, split, stats };
}

export async function trainVit(workspace: Workspace, request: VitTrainRequest): Promise<VitTrainResult> {
  const progress = request.onProgress ?? (() => {});
  const dataset = workspace.datasets.require(request.dataset);
  const resumed = request.resume === undefined ? null : workspace.runs.get(request.resume);
  if (
    request.resume !== undefined &&
    (!resumed || resumed.datasetId !== dataset.id || resumed.model !== 'vit')
  ) {
    throw new Error(`there is no ViT run ${request.resume} of dataset ${request.dataset} to resume`);
  }
  progress({ phase: 'loading', epoch: 0, step: 0 });
  const stored = resumed?.config as unknown as (VitConfig & { data: VitData }) | undefined;
  let config: VitConfig;
  let channels: 1 | 3;
  let size: number;
  if (stored) {
    config = stored;
    ({ channels, image_size: size } = stored.data);
  } else {
    const common = commonShape(workspace, request.dataset);
    const side = Math.max(common.height, common.width);
    const chosen = request.config;
    config = 'preset' in chosen ? resolveConfig(chosen.preset, chosen.overrides, side) : chosen;
    channels = common.channels;
    size = config.image_size || side;
  }
  const patch = patchSize(config, size);
  const { set, split, stats } = await runImages(
    workspace,
    request.dataset,
    config,
    { channels, size },
    (done, total) => progress({ phase: 'loading', epoch: 0, step: 0, done, total }),
  );
  if (set.classes.length < 2) {
    throw new ImageDatasetError(
      `dataset ${request.dataset}: supervised training needs images of at least 2 classes, found ${set.classes.length}`,
    );
  }
  if (split.train.length === 0)
    throw new ImageDatasetError(`dataset ${request.dataset}: no labelled training images`);
  const data: VitData = stored?.data ?? {
    channels,
    image_size: size,
    patch,
    classes: set.classes,
    normalisation: channelStats(set, split.train),
    split: stats,
    batch: Math.min(config.batch_size, split.train.length),
    resized: set.resized,
    converted: set.converted,
  };
  const run =
    resumed ??
    workspace.runs.create({
      datasetId: dataset.id,
      model: 'vit',
      config: { ...config, data } as unknown as Record<string, unknown>,
      seed: config.seed,
      device: request.device,
      codeVersion: codeVersion(),
    });
  const outcome = await recordRun(workspace, run.id, () =>
    train(workspace, set, split, config, data, request, run.id, progress),
  );
  return { run: run.id, model: 'vit', data, ...outcome };
}

type Outcome = Omit<VitTrainResult, 'run' | 'model' | 'seconds' | 'cpu_seconds' | 'data'>;

function train(
  workspace: Workspace,
  set: ImageSet,
  split: ReturnType<typeof splitImages>['split'],
  config: VitConfig,
  data: VitData,
  request: VitTrainRequest,
  runId: number,
  progress: (p: VitProgress) => void,
): Promise<Outcome> {
  const rows = data.batch;
  const perEpoch = Math.ceil(split.train.length / rows);
  const shape = shapeOf(data);
  const program = trainProgram(config, shape, data.normalisation, rows, perEpoch * config.epochs);
  const evaluation = inferenceProgram(config, shape, data.normalisation, config.eval_batch);
  const modelOf = (thread: TrainerThread) => async (images: Uint8Array) =>
    (await thread.evaluate({ images })).outputs;
  const classifier = classifierRun({
    workspace,
    runId,
    set,
    split,
    evalBatch: config.eval_batch,
    dim: config.hidden,
    signal: request.signal,
    progress,
    modelOf,
  });
  return runTrainingLoop({
    workspace,
    run: runId,
    program,
    evaluation,
    ...loopSettings(request, config),
    examplesPerEpoch: split.train.length,
    batches: function* (epoch, from) {
      const order = epochOrder(split.train, config.seed, epoch);
      const augmentation = { flip: config.flip, shift: config.shift };
      for (const { batch, next, images } of trainingBatches(
        set,
        order,
        rows,
        augmentation,
        config.seed,
        epoch,
        from,
      )) {
        yield { batch, next, examples: images };
      }
    },
    validate: classifier.validate,
    validates: classifier.validates,
    epochMeans: { correct: 'train/top1' },
    divergenceAdvice: `lower lr (now ${config.lr}) or clip_norm`,
    onTraining: ({ rate, ...p }) => progress({ phase: 'training', ...p, images_per_s: rate }),
    signal: request.signal,
    finish: async (thread, summary) => {
      const { test, embeddings } = await classifier.testAndStore(thread, summary);
      const { examples_per_s, best_score, ...rest } = summary;
      return {
        ...rest,
        images_per_s: examples_per_s,
        validation_top1: best_score,
        test,
        embeddings,
      };
    },
  });
}
