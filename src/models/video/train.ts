// A video run from start to stored results, as a ViT run goes (../vit/train.ts): the clips decoded
// once into a byte tensor (T frames sampled, resized), split as images are split, the run recorded
// with the sizes the data decided; the shared training loop steps, checkpoints, validates (top-1
// after every epoch) and stops; the best parameters are scored on the test split (top-1, confusion
// matrix) and every clip's representation is stored as the run's embeddings.
import { mix } from '../../eval/ranking.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import type { TrainerThread } from '../../onnx/runtime/trainer-thread.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { codeVersion } from '../code-version.ts';
import { loopSettings, type RunOutcome, recordRun, runTrainingLoop } from '../training-loop.ts';
import { epochOrder, imageBatch } from '../vision/batches.ts';
import { ImageDatasetError } from '../vision/image-set.ts';
import { type SplitStats, splitImages } from '../vision/splits.ts';
import { classifierRun, type SupervisedMetrics } from '../vit/evaluate.ts';
import type { Normalisation } from '../vit/model.ts';
import { type ClipSet, clipChannelStats, commonClipShape, loadClipSet, type ShortClips } from './clip-set.ts';
import { patchSize, type VideoShape, type VivitConfig } from './config.ts';
import { initialiseFromImageRun } from './init-from-run.ts';
import { inferenceProgram, trainProgram } from './model.ts';
import { checkVariantShape, representationWidth, tubeletOf } from './variants.ts';

export interface VideoProgress {
  phase: 'loading' | 'training' | 'validation' | 'test' | 'storing';
  epoch: number;
  step: number;
  loss?: number;
  lr?: number;
  clips_per_s?: number;
  eta_s?: number;
  done?: number;
  total?: number;
}

export interface VideoTrainRequest {
  dataset: string;
  config: VivitConfig;
  device: DeviceChoice;
  threads?: number;
  /** continue this cancelled run from its last checkpoint instead of starting one */
  resume?: number;
  onProgress?(progress: VideoProgress): void;
  signal?: AbortSignal;
}

/** What the data decided for the run, stored with its config. */
export interface VideoData {
  frames: number;
  channels: 1 | 3;
  image_size: number;
  patch: number;
  tubelet: number;
  /** tokens the encoder attends over per clip (without [CLS]) */
  tokens: number;
  classes: string[];
  normalisation: Normalisation;
  split: SplitStats;
  batch: number;
  /** clips with fewer frames than T, and what was done with them */
  short_clips: { count: number; handled: ShortClips };
  resized: number;
  converted: number;
  /** parameters taken from an image run (init_from_run), by name */
  initialised_from: { run: number; parameters: string[] } | null;
}

export interface VideoTrainResult extends RunOutcome {
  model: 'vivit';
  variant: VivitConfig['variant'];
  clips_per_s: number;
  data: VideoData;
  validation_top1: number;
  test: SupervisedMetrics;
  embeddings: number;
}

export const shapeOf = (data: VideoData): VideoShape => ({
  frames: data.frames,
  channels: data.channels,
  size: data.image_size,
  patch: data.patch,
  tubelet: data.tubelet,
  classes: data.classes.length,
});

/** The clips of a dataset at a run's shape, split as the run splits them. */
export async function runClips(
  workspace: Workspace,
  dataset: string,
  config: Pick<VivitConfig, 'test_fraction' | 'validation_fraction' | 'seed' | 'short_clips'>,
  shape: { frames: number; channels: 1 | 3; size: number },
  onProgress?: (done: number, total: number) => void,
) {
  const set = await loadClipSet(
    workspace,
    dataset,
    { frames: shape.frames, channels: shape.channels, height: shape.size, width: shape.size },
    config.short_clips,
    onProgress,
  );
  const { split, stats } = splitImages(set, {
    testFraction: config.test_fraction,
    validationFraction: config.validation_fraction,
    seed: config.seed,
  });
  return { set, split, stats };
}

export async function trainVideo(
  workspace: Workspace,
  request: VideoTrainRequest,
): Promise<VideoTrainResult> {
  const progress = request.onProgress ?? (() => {});
  const dataset = workspace.datasets.require(request.dataset);
  const resumed = request.resume === undefined ? null : workspace.runs.get(request.resume);
  if (
    request.resume !== undefined &&
    (!resumed || resumed.datasetId !== dataset.id || resumed.model !== 'vivit')
  ) {
    throw new Error(`there is no video run ${request.resume} of dataset ${request.dataset} to resume`);
  }
  const stored = resumed?.config as unknown as (VivitConfig & { data: VideoData }) | undefined;
  const { data: _, ...storedConfig } = stored ?? { data: null };
  const config: VivitConfig = stored ? (storedConfig as VivitConfig) : request.config;
  progress({ phase: 'loading', epoch: 0, step: 0 });
  let channels: 1 | 3;
  let size: number;
  if (stored) ({ channels, image_size: size } = stored.data);
  else {
    const common = commonClipShape(workspace, request.dataset);
    channels = common.channels;
    size = config.image_size || Math.max(common.height, common.width);
  }
  const patch = patchSize(config, size);
  const tubelet = tubeletOf(config);
  // before the clips are decoded: a refused shape costs the user no wait
  checkVariantShape(config, { size, patch });
  const { set, split, stats } = await runClips(
    workspace,
    request.dataset,
    config,
    { frames: config.frames, channels, size },
    (done, total) => progress({ phase: 'loading', epoch: 0, step: 0, done, total }),
  );
  if (set.classes.length < 2) {
    throw new ImageDatasetError(
      `dataset ${request.dataset}: supervised training needs clips of at least 2 classes, found ${set.classes.length}`,
    );
  }
  if (split.train.length === 0)
    throw new ImageDatasetError(`dataset ${request.dataset}: no labelled training clips`);
  const data: VideoData = stored?.data ?? {
    frames: config.frames,
    channels,
    image_size: size,
    patch,
    tubelet,
    tokens: (config.frames / tubelet) * (size / patch) ** 2,
    classes: set.classes,
    normalisation: clipChannelStats(set, split.train),
    split: stats,
    batch: Math.min(config.batch_size, split.train.length),
    short_clips: { count: set.short, handled: set.shortClips },
    resized: set.resized,
    converted: set.converted,
    initialised_from: null,
  };
  const shape = shapeOf(data);
  const perEpoch = Math.ceil(split.train.length / data.batch);
  const program = trainProgram(config, shape, data.normalisation, data.batch, perEpoch * config.epochs);
  if (!stored && config.init_from_run > 0) {
    data.initialised_from = {
      run: config.init_from_run,
      parameters: await initialiseFromImageRun(workspace, config.init_from_run, program, config, shape),
    };
  }
  const run =
    resumed ??
    workspace.runs.create({
      datasetId: dataset.id,
      model: 'vivit',
      config: { ...config, data } as unknown as Record<string, unknown>,
      seed: config.seed,
      device: request.device,
      codeVersion: codeVersion(),
    });
  const outcome = await recordRun(workspace, run.id, () =>
    train(workspace, set, split, config, data, program, request, run.id, progress),
  );
  return { run: run.id, model: 'vivit', variant: config.variant, data, ...outcome };
}

type Outcome = Omit<VideoTrainResult, 'run' | 'model' | 'variant' | 'seconds' | 'cpu_seconds' | 'data'>;

function train(
  workspace: Workspace,
  set: ClipSet,
  split: ReturnType<typeof splitImages>['split'],
  config: VivitConfig,
  data: VideoData,
  program: ReturnType<typeof trainProgram>,
  request: VideoTrainRequest,
  runId: number,
  progress: (p: VideoProgress) => void,
): Promise<Outcome> {
  const rows = data.batch;
  const evaluation = inferenceProgram(config, shapeOf(data), data.normalisation, config.eval_batch);
  const modelOf = (thread: TrainerThread) => async (clips: Uint8Array) =>
    (await thread.evaluate({ clips })).outputs;
  const classifier = classifierRun({
    workspace,
    runId,
    set,
    split,
    evalBatch: config.eval_batch,
    dim: representationWidth(config),
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
      for (let at = from; at < order.length; at += rows) {
        const chosen = order.subarray(at, Math.min(at + rows, order.length));
        const { images, labels } = imageBatch(set, chosen, rows);
        const seed = BigInt64Array.of(BigInt(mix(config.seed ^ 0x68e31da4, mix(epoch, at))));
        yield { batch: { clips: images, labels, seed }, next: at + chosen.length, examples: chosen.length };
      }
    },
    validate: classifier.validate,
    validates: classifier.validates,
    epochMeans: { correct: 'train/top1' },
    divergenceAdvice: `lower lr (now ${config.lr}) or clip_norm`,
    onTraining: ({ rate, ...p }) => progress({ phase: 'training', ...p, clips_per_s: rate }),
    signal: request.signal,
    finish: async (thread, summary) => {
      const { test, embeddings } = await classifier.testAndStore(thread, summary);
      const { examples_per_s, best_score, ...rest } = summary;
      return {
        ...rest,
        clips_per_s: examples_per_s,
        validation_top1: best_score,
        test,
        embeddings,
      };
    },
  });
}
