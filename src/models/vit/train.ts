// A ViT run from start to stored results: the images are decoded once into a byte tensor, split
// (the dataset's own test split, or a seeded stratified one), and the run is recorded with the
// sizes the data decided (image size, patch, channels, normalisation). The model trains in the
// runtime's trainer thread while this thread builds the next batch; validation top-1 after every
// epoch drives early stopping and keeps the best checkpoint. At the end the best parameters are
// scored on the test split (top-1, confusion matrix) and every image's [CLS] representation is
// stored as the run's embeddings. A cancel writes a checkpoint with the data cursor, so `resume`
// continues where it stopped; a diverging loss stops the run and leaves the last good checkpoint.
import { mkdirSync } from 'node:fs';
import { readCheckpoint } from '../../onnx/runtime/checkpoint.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import { TrainerThread } from '../../onnx/runtime/trainer-thread.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { codeVersion } from '../code-version.ts';
import { bestCheckpoint, lastCheckpoint, runDirectory } from '../run-directory.ts';
import { epochOrder, trainingBatches } from '../vision/batches.ts';
import {
  channelStats,
  commonShape,
  ImageDatasetError,
  type ImageSet,
  loadImageSet,
} from '../vision/image-set.ts';
import { type SplitStats, splitImages } from '../vision/splits.ts';
import { patchSize, type VitConfig, type VitShape } from './config.ts';
import { classify, type SupervisedMetrics, supervisedMetrics } from './evaluate.ts';
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
  done?: number;
  total?: number;
}

export interface VitTrainRequest {
  dataset: string;
  config: VitConfig;
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

export interface VitTrainResult {
  run: number;
  model: 'vit';
  seconds: number;
  cpu_seconds: number;
  device: string;
  epochs: number;
  steps: number;
  best_epoch: number;
  stopped: 'epochs' | 'patience' | 'time';
  images_per_s: number;
  data: VitData;
  validation_top1: number;
  test: SupervisedMetrics;
  embeddings: number;
}

/** Where the data pipeline and early stopping stand: what a checkpoint's cursor holds. */
interface Cursor {
  epoch: number;
  position: number;
  bestEpoch: number;
  bestTop1: number;
  badEpochs: number;
  images: number;
  trainSeconds: number;
}

export class TrainingDiverged extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDiverged';
  }
}

class TrainingCancelled extends Error {
  constructor(run: number, step: number) {
    super(
      `training of run ${run} cancelled at step ${step}; a checkpoint was kept (resume it with --resume ${run})`,
    );
    this.name = 'AbortError';
  }
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
  config: VitConfig,
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
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
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
  const config: VitConfig = stored ?? request.config;
  let channels: 1 | 3;
  let size: number;
  if (stored) ({ channels, image_size: size } = stored.data);
  else {
    const common = commonShape(workspace, request.dataset);
    channels = common.channels;
    size = config.image_size || Math.max(common.height, common.width);
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
  workspace.runs.setStatus(run.id, 'running');
  const dir = runDirectory(workspace.path, run.id);
  mkdirSync(dir, { recursive: true });
  try {
    const outcome = await train(workspace, set, split, config, data, request, run.id, dir, progress);
    const seconds = (performance.now() - wallStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    workspace.runs.addSeconds(run.id, seconds);
    workspace.runs.setStatus(run.id, 'done');
    return {
      run: run.id,
      model: 'vit',
      seconds,
      cpu_seconds: (cpu.user + cpu.system) / 1e6,
      data,
      ...outcome,
    };
  } catch (error) {
    const cancelled = (error as Error).name === 'AbortError';
    workspace.runs.setStatus(
      run.id,
      cancelled ? 'cancelled' : 'failed',
      cancelled ? null : (error as Error).message,
    );
    throw error;
  }
}

type Outcome = Omit<VitTrainResult, 'run' | 'model' | 'seconds' | 'cpu_seconds' | 'data'>;

async function train(
  workspace: Workspace,
  set: ImageSet,
  split: ReturnType<typeof splitImages>['split'],
  config: VitConfig,
  data: VitData,
  request: VitTrainRequest,
  runId: number,
  dir: string,
  progress: (p: VitProgress) => void,
): Promise<Outcome> {
  const rows = data.batch;
  const perEpoch = Math.ceil(split.train.length / rows);
  const shape = shapeOf(data);
  const program = trainProgram(config, shape, data.normalisation, rows, perEpoch * config.epochs);
  const inference = inferenceProgram(config, shape, data.normalisation, config.eval_batch);
  const last = lastCheckpoint(dir);
  const best = bestCheckpoint(dir);
  const thread = await TrainerThread.start({
    program,
    evaluation: inference,
    device: request.device,
    threads: request.threads,
    resumeFrom: request.resume !== undefined ? last : undefined,
  });
  const started = thread.started;
  const cursor: Cursor = (started.cursor as Cursor | null) ?? {
    epoch: 0,
    position: 0,
    bestEpoch: -1,
    bestTop1: -1,
    badEpochs: 0,
    images: 0,
    trainSeconds: 0,
  };
  let step = started.step;
  const model = async (images: Uint8Array) => (await thread.evaluate({ images })).outputs;
  let stopped: Outcome['stopped'] = 'epochs';
  let lastGood = started.step;
  try {
    // a checkpoint before the first step, so even a run that diverges at once leaves one
    if (request.resume === undefined) await thread.checkpoint(last, { cursor });
    while (cursor.epoch < config.epochs) {
      const epoch = cursor.epoch;
      const order = epochOrder(split.train, config.seed, epoch);
      const batches = trainingBatches(
        set,
        order,
        rows,
        { flip: config.flip, shift: config.shift },
        config.seed,
        epoch,
        cursor.position,
      );
      let pending = batches.next();
      let lastReport = 0;
      let segmentStart = performance.now();
      let segmentImages = 0;
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      while (!pending.done) {
        const { batch, next, images } = pending.value;
        const stepping = thread.step(batch);
        pending = batches.next();
        const { loss, metrics } = await stepping;
        if (!Number.isFinite(loss) || !Number.isFinite(metrics.grad_norm ?? 0)) {
          throw new TrainingDiverged(
            `training diverged: loss ${loss} at step ${step + 1} (epoch ${epoch}); the last good checkpoint (step ${lastGood}) is kept in ${last}; lower lr (now ${config.lr}) or clip_norm`,
          );
        }
        step++;
        cursor.position = next;
        cursor.images += images;
        segmentImages += images;
        lossSum += loss * images;
        correct += metrics.correct;
        seen += images;
        const now = performance.now();
        if (step % 50 === 0) workspace.runs.appendMetrics(runId, [{ name: 'train/loss', step, value: loss }]);
        if (now - lastReport > 1000) {
          lastReport = now;
          const rate = (segmentImages * 1000) / (now - segmentStart);
          const left = (config.epochs - epoch) * split.train.length - cursor.position;
          progress({
            phase: 'training',
            epoch,
            step,
            loss,
            lr: metrics.lr,
            images_per_s: rate,
            eta_s: rate > 0 ? left / rate : undefined,
          });
        }
        if (request.signal?.aborted) {
          cursor.trainSeconds += (now - segmentStart) / 1000;
          await thread.checkpoint(last, { cursor });
          workspace.runs.addCheckpoint(runId, step, { path: last });
          throw new TrainingCancelled(runId, step);
        }
        if (
          config.time_limit_s > 0 &&
          cursor.trainSeconds + (now - segmentStart) / 1000 > config.time_limit_s
        ) {
          stopped = 'time';
          break;
        }
      }
      cursor.trainSeconds += (performance.now() - segmentStart) / 1000;
      segmentStart = performance.now();
      segmentImages = 0;
      let top1: number;
      try {
        const { predicted } = await classify(set, split.validation, config.eval_batch, model, {
          signal: request.signal,
          onProgress: (done, total) => progress({ phase: 'validation', epoch, step, done, total }),
        });
        top1 = supervisedMetrics(set, split.validation, predicted).top1;
      } catch (error) {
        if ((error as Error).name !== 'AbortError') throw error;
        // Cancelled while validating: the epoch's training is kept, so a resume validates it.
        await thread.checkpoint(last, { cursor });
        workspace.runs.addCheckpoint(runId, step, { path: last });
        throw new TrainingCancelled(runId, step);
      }
      const points = [{ name: 'val/top1', step, value: top1 }];
      if (seen > 0) {
        points.push({ name: 'train/epoch_loss', step, value: lossSum / seen });
        points.push({ name: 'train/top1', step, value: correct / seen });
      }
      workspace.runs.appendMetrics(runId, points);
      // without a validation part every epoch counts as the best so far
      if (top1 > cursor.bestTop1 || split.validation.length === 0) {
        cursor.bestTop1 = top1;
        cursor.bestEpoch = epoch;
        cursor.badEpochs = 0;
        await thread.checkpoint(best, { cursor });
        workspace.runs.addCheckpoint(runId, step, { path: best });
      } else cursor.badEpochs++;
      cursor.epoch = epoch + 1;
      cursor.position = 0;
      await thread.checkpoint(last, { cursor });
      lastGood = step;
      if (stopped === 'time') break;
      if (cursor.badEpochs >= config.patience) {
        stopped = 'patience';
        break;
      }
    }
    progress({ phase: 'test', epoch: cursor.epoch, step });
    const kept = await readCheckpoint(best, program);
    await thread.setParameters(kept.parameters);
    const { predicted } = await classify(set, split.test, config.eval_batch, model, {
      signal: request.signal,
      onProgress: (done, total) => progress({ phase: 'test', epoch: cursor.epoch, step, done, total }),
    });
    const test = supervisedMetrics(set, split.test, predicted);
    workspace.runs.appendMetrics(runId, [{ name: 'test/top1', step, value: test.top1 }]);
    progress({ phase: 'storing', epoch: cursor.epoch, step });
    const everyImage = Int32Array.from({ length: set.count }, (_, i) => i);
    const { embeddings } = await classify(set, everyImage, config.eval_batch, model, {
      dim: config.hidden,
      signal: request.signal,
      onProgress: (done, total) => progress({ phase: 'storing', epoch: cursor.epoch, step, done, total }),
    });
    workspace.embeddings.put(runId, { entityIds: set.entityIds, dim: config.hidden, vectors: embeddings! });
    return {
      device: started.provider,
      epochs: cursor.epoch,
      steps: step,
      best_epoch: cursor.bestEpoch,
      stopped,
      images_per_s: cursor.trainSeconds > 0 ? cursor.images / cursor.trainSeconds : 0,
      validation_top1: cursor.bestTop1,
      test,
      embeddings: set.count,
    };
  } finally {
    await thread.stop();
  }
}
