// What each video encoder costs and gains, measured on the programs a run trains: the variants
// table through the trainer's own program builders (./model.ts), so a row is the encoder a user
// gets. Per variant: parameters, FLOPs per clip counted from the inference graph
// (src/onnx/flops.ts), ms per training step (forward, backward, clipping and the AdamW update in
// the trainer thread), inference clips per second, peak memory, and the test top-1 of the
// variant's best finished run on a dataset when a workspace is given.
//
// Sizes: a variant with such a run is measured at that run's sizes (config and the shape its data
// decided); the others at the bench's defaults, the motion preset on the generated motion dataset
// (8 frames of 32 x 32 greyscale, 4 classes), the size of the accuracy targets.
import { Random } from '../../demo/random.ts';
import { countFlops } from '../../onnx/flops.ts';
import { TrainerThread } from '../../onnx/runtime/trainer-thread.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import type { Normalisation } from '../vit/model.ts';
import {
  patchSize,
  resolveConfig,
  type VariantName,
  type VideoShape,
  VivitConfig,
  variantNames,
} from './config.ts';
import { inferenceProgram, trainProgram } from './model.ts';
import { defaultMotionSpec, motionClasses } from './motion-dataset.ts';
import { shapeOf, type VideoData } from './train.ts';
import { checkVariantShape, tubeletOf } from './variants.ts';

/** One variant as the bench builds it: a run's settings, or the defaults. */
export interface BenchModel {
  name: VariantName;
  config: VivitConfig;
  shape: VideoShape;
  normalisation: Normalisation;
  /** clips per training step */
  batch: number;
  /** the run the sizes and the accuracy come from; null at the bench's defaults */
  run: number | null;
  /** that run's test top-1 */
  accuracy: number | null;
}

export interface VideoBenchRow {
  name: VariantName;
  run: number | null;
  accuracy: number | null;
  params: number;
  /** per clip, forward pass (convention in src/onnx/flops.ts: a multiply-add is 2) */
  flops: number;
  ms_per_step: number;
  clips_per_s: number;
  peak_mb: number;
  sizes: {
    frames: number;
    image_size: number;
    channels: number;
    patch: number;
    tubelet: number;
    hidden: number;
    layers: number;
    heads: number;
    batch: number;
  };
}

export interface VideoTiming {
  ms_per_step: number;
  clips_per_s: number;
  peak_mb: number;
}

export interface TimingOptions {
  /** timed training steps and inference batches, after `warmup` untimed ones */
  steps?: number;
  warmup?: number;
  threads?: number;
}

/** A variant at the bench's default size: the motion preset with `overrides`, on motion clips. */
export function defaultBenchModel(name: VariantName, overrides: Record<string, unknown> = {}): BenchModel {
  const config = resolveConfig('motion', { ...overrides, variant: name });
  const size = config.image_size || defaultMotionSpec.size;
  const shape: VideoShape = {
    frames: config.frames,
    channels: 1,
    size,
    patch: patchSize(config, size),
    tubelet: tubeletOf(config),
    classes: motionClasses(defaultMotionSpec.lanes).length,
  };
  // what a run would refuse, the bench refuses too
  checkVariantShape(config, shape);
  return {
    name,
    config,
    shape,
    normalisation: { mean: [0.5], std: [0.25] },
    batch: config.batch_size,
    run: null,
    accuracy: null,
  };
}

/** Per variant, its finished run on `datasetName` with the best test top-1 (the newest on a tie). */
export function bestRuns(
  workspace: Workspace,
  datasetName: string,
): Partial<Record<VariantName, BenchModel>> {
  const dataset = workspace.datasets.require(datasetName);
  const best: Partial<Record<VariantName, BenchModel>> = {};
  for (const run of workspace.runs.list(dataset.id)) {
    const top1 = run.metrics['test/top1'];
    if (run.model !== 'vivit' || run.status !== 'done' || top1 === null || top1 === undefined) continue;
    const { data, ...stored } = run.config as unknown as VivitConfig & { data: VideoData };
    const config = VivitConfig.parse(stored);
    const current = best[config.variant];
    if (current && (current.accuracy ?? 0) >= top1) continue;
    best[config.variant] = {
      name: config.variant,
      config,
      shape: shapeOf(data),
      normalisation: data.normalisation,
      batch: data.batch,
      run: run.id,
      accuracy: top1,
    };
  }
  return best;
}

/** Every variant: at its best run's sizes where `runs` has one, else at the defaults with `overrides`. */
export function benchModels(
  runs: Partial<Record<VariantName, BenchModel>> = {},
  overrides: Record<string, unknown> = {},
): BenchModel[] {
  return variantNames.map((name) => runs[name] ?? defaultBenchModel(name, overrides));
}

/** Parameters and forward FLOPs per clip of the variant's inference program (one clip per run). */
export function videoCost(model: Pick<BenchModel, 'config' | 'shape' | 'normalisation'>): {
  params: number;
  flops: number;
} {
  const program = inferenceProgram(model.config, model.shape, model.normalisation, 1, { valueInfo: true });
  return {
    params: program.parameters.reduce((n, p) => n + p.init.length, 0),
    flops: countFlops(program.model).total,
  };
}

/** The model with T frames (null when its tubelets do not divide T). */
export function withFrames(model: BenchModel, frames: number): BenchModel | null {
  if (frames % model.shape.tubelet !== 0) return null;
  return { ...model, config: { ...model.config, frames }, shape: { ...model.shape, frames } };
}

/**
 * Median ms of a training step and of an inference batch (eval_batch clips) in the trainer
 * thread, on random clips (their content does not change a step's cost), and the process's peak
 * resident memory (run one model per process for a per-variant figure).
 */
export async function timeVideoModel(
  model: BenchModel,
  { steps = 5, warmup = 2, threads = 2 }: TimingOptions = {},
): Promise<VideoTiming> {
  const { config, shape, normalisation, batch } = model;
  const evalRows = config.eval_batch;
  const thread = await TrainerThread.start({
    program: trainProgram(config, shape, normalisation, batch, 100_000),
    evaluation: inferenceProgram(config, shape, normalisation, evalRows),
    device: 'cpu',
    threads,
  });
  const volume = shape.frames * shape.channels * shape.size * shape.size;
  const random = new Random(7);
  const clips = Uint8Array.from({ length: Math.max(batch, evalRows) * volume }, () => random.int(256));
  const labels = BigInt64Array.from({ length: batch }, (_, i) => BigInt(i % shape.classes));
  const median = (ms: number[]) => ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
  try {
    const stepMs: number[] = [];
    for (let i = 0; i < warmup + steps; i++) {
      // the thread takes the buffers it is handed, so each step gets its own copy
      const step = {
        clips: clips.slice(0, batch * volume),
        labels: labels.slice(),
        seed: BigInt64Array.of(BigInt(i)),
      };
      const from = performance.now();
      const { loss } = await thread.step(step);
      if (i >= warmup) stepMs.push(performance.now() - from);
      if (!Number.isFinite(loss)) throw new Error(`bench video: ${model.name} step ${i} gave loss ${loss}`);
    }
    const evalMs: number[] = [];
    for (let i = 0; i < warmup + steps; i++) {
      const input = { clips: clips.slice(0, evalRows * volume) };
      const from = performance.now();
      await thread.evaluate(input);
      if (i >= warmup) evalMs.push(performance.now() - from);
    }
    return {
      ms_per_step: round(median(stepMs)),
      clips_per_s: round((1000 * evalRows) / median(evalMs)),
      peak_mb: round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await thread.stop();
  }
}

const round = (v: number) => Math.round(v * 10) / 10;

/** A row per model: cost here, timing in a child process each, so its peak memory is its own. */
export async function benchVideo(
  models: BenchModel[],
  options: TimingOptions = {},
): Promise<VideoBenchRow[]> {
  const { fork } = await import('node:child_process');
  const rows: VideoBenchRow[] = [];
  for (const model of models) {
    const timing = await new Promise<VideoTiming>((resolve, reject) => {
      const child = fork(new URL('./bench-row.ts', import.meta.url), [], {
        // the child runs TypeScript whether this process was started with --import tsx or
        // through the CLI's programmatic tsx registration
        execArgv: [...process.execArgv.filter((a) => a !== '--import' && a !== 'tsx'), '--import', 'tsx'],
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      let result: VideoTiming | { error: string } | undefined;
      child.on('message', (m) => {
        result = m as VideoTiming | { error: string };
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        if (result && !('error' in result)) resolve(result);
        else
          reject(
            new Error(`bench video: the ${model.name} row failed (${result?.error ?? `exit code ${code}`})`),
          );
      });
      child.send({ model, options });
    });
    const { config, shape } = model;
    rows.push({
      name: model.name,
      run: model.run,
      accuracy: model.accuracy,
      ...videoCost(model),
      ...timing,
      sizes: {
        frames: shape.frames,
        image_size: shape.size,
        channels: shape.channels,
        patch: shape.patch,
        tubelet: shape.tubelet,
        hidden: config.hidden,
        layers: config.layers,
        heads: config.heads,
        batch: model.batch,
      },
    });
  }
  return rows;
}
