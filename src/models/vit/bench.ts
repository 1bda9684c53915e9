// Throughput of a ViT preset on generated images of its dataset's shape: training images/s (the
// compiled step in the trainer thread, batches built meanwhile, as a run trains) and inference
// images/s (the eval program on the same parameters). Nothing is read from a workspace, so the
// figures measure the model and the engine, not an import.
import os from 'node:os';
import { Random } from '../../demo/random.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import { TrainerThread } from '../../onnx/runtime/trainer-thread.ts';
import { imageBatch } from '../vision/batches.ts';
import type { ImageSet } from '../vision/image-set.ts';
import { type PresetName, patchSize, resolveConfig } from './config.ts';
import { inferenceProgram, trainProgram } from './model.ts';

export interface VitBenchOptions {
  preset: PresetName;
  /** side of the generated square images (28: Fashion-MNIST, 8: the digits) */
  size: number;
  channels: 1 | 3;
  classes: number;
  /** timed steps (and as many timed inference batches) after `warmup` untimed ones */
  steps: number;
  warmup: number;
  device: DeviceChoice;
  threads?: number;
  seed: number;
}

export interface VitBenchResult {
  preset: PresetName;
  image_size: number;
  channels: number;
  patch: number;
  hidden: number;
  layers: number;
  batch: number;
  train_images_per_s: number;
  train_ms_per_step: number;
  /** images per second of process CPU time (all threads): the figure a loaded machine distorts least */
  train_images_per_cpu_s: number;
  eval_batch: number;
  inference_images_per_s: number;
  inference_ms_per_batch: number;
  inference_images_per_cpu_s: number;
  steps: number;
  device: string;
  threads: number;
  cpu_seconds: number;
  load_average: number;
}

/** Random images of a shape (the content does not change a step's cost). */
function generatedImages(
  count: number,
  size: number,
  channels: 1 | 3,
  classes: number,
  seed: number,
): ImageSet {
  const random = new Random(seed);
  return {
    count,
    channels,
    height: size,
    width: size,
    pixels: Uint8Array.from({ length: count * channels * size * size }, () => random.int(256)),
    labels: Int32Array.from({ length: count }, () => random.int(classes)),
    classes: Array.from({ length: classes }, (_, k) => String(k)),
    entityIds: Int32Array.from({ length: count }, (_, i) => i + 1),
    sourceSplit: new Array(count).fill(null),
    resized: 0,
    converted: 0,
  };
}

export async function benchVit(options: VitBenchOptions): Promise<VitBenchResult> {
  const cpuStart = process.cpuUsage();
  const config = resolveConfig(options.preset, { seed: options.seed }, options.size);
  const { size, channels, classes } = options;
  const shape = { channels, size, patch: patchSize(config, size), classes };
  const norm = { mean: new Array(channels).fill(0.5), std: new Array(channels).fill(0.25) };
  const rows = config.batch_size;
  const total = options.warmup + options.steps;
  const set = generatedImages(Math.max(rows, config.eval_batch), size, channels, classes, options.seed);
  const everyImage = Int32Array.from({ length: set.count }, (_, i) => i);
  const thread = await TrainerThread.start({
    program: trainProgram(config, shape, norm, rows, 100_000),
    evaluation: inferenceProgram(config, shape, norm, config.eval_batch),
    device: options.device,
    threads: options.threads,
  });
  let trainSeconds = 0;
  let inferSeconds = 0;
  // process CPU time covers the trainer thread too: on a shared machine it says what a step costs
  // when the wall clock says how busy the others are
  let trainCpu = 0;
  let inferCpu = 0;
  let cpuFrom = process.cpuUsage();
  const cpuSince = (from: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(from);
    return (used.user + used.system) / 1e6;
  };
  try {
    const next = (i: number) => ({
      ...imageBatch(set, everyImage.subarray(0, rows), rows),
      seed: BigInt64Array.of(BigInt(i)),
    });
    let pending = next(0);
    let from = 0;
    for (let i = 0; i < total; i++) {
      if (i === options.warmup) {
        from = performance.now();
        cpuFrom = process.cpuUsage();
      }
      const stepping = thread.step(pending);
      pending = next(i + 1);
      const { loss } = await stepping;
      if (!Number.isFinite(loss)) throw new Error(`bench vit: step ${i} gave loss ${loss}`);
    }
    trainSeconds = (performance.now() - from) / 1000;
    trainCpu = cpuSince(cpuFrom);
    for (let i = 0; i < total; i++) {
      if (i === options.warmup) {
        from = performance.now();
        cpuFrom = process.cpuUsage();
      }
      await thread.evaluate({
        images: imageBatch(set, everyImage.subarray(0, config.eval_batch), config.eval_batch).images,
      });
    }
    inferSeconds = (performance.now() - from) / 1000;
    inferCpu = cpuSince(cpuFrom);
  } finally {
    await thread.stop();
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    preset: options.preset,
    image_size: size,
    channels,
    patch: shape.patch,
    hidden: config.hidden,
    layers: config.layers,
    batch: rows,
    train_images_per_s: (options.steps * rows) / trainSeconds,
    train_ms_per_step: (1000 * trainSeconds) / options.steps,
    train_images_per_cpu_s: (options.steps * rows) / trainCpu,
    eval_batch: config.eval_batch,
    inference_images_per_s: (options.steps * config.eval_batch) / inferSeconds,
    inference_ms_per_batch: (1000 * inferSeconds) / options.steps,
    inference_images_per_cpu_s: (options.steps * config.eval_batch) / inferCpu,
    steps: options.steps,
    device: thread.started.provider,
    threads: thread.started.threads,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    load_average: os.loadavg()[0],
  };
}
