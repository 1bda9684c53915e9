// `constellation bench bert4rec`: training throughput of a preset (paper-ml by default, with any
// --set) on a generated log or on a workspace dataset, through the real pipeline (windows, Cloze
// masking, packed batches built while the trainer thread steps, the short step when short_len is
// set), next to the engine benchmark's BERT4Rec-sized step on the same machine.
import os from 'node:os';
import { Random } from '../../demo/random.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import { TrainerThread } from '../../onnx/runtime/trainer-thread.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { benchEngine, engineBenchSizes } from '../bench-engine.ts';
import { epochInstances, stepShapes, trainingBatches, trainingWindows } from './batches.ts';
import type { Bert4RecConfig, PresetName } from './config.ts';
import { trainProgram } from './model.ts';
import { loadSplit, type SequenceSplit, splitLeaveOneOut } from './sequences.ts';

export interface Bert4RecBenchOptions {
  /** the preset the config came from, for the report */
  preset: PresetName;
  config: Bert4RecConfig;
  /** train on this workspace dataset instead of a generated log */
  data?: { workspace: string; dataset: string };
  /** users and items of the generated log */
  users: number;
  items: number;
  /** timed steps after `warmup` untimed ones */
  steps: number;
  warmup: number;
  device: DeviceChoice;
  threads?: number;
  /** also time the engine benchmark's step (default true) */
  engine: boolean;
  seed: number;
}

export interface Bert4RecBenchResult {
  preset: PresetName;
  /** the workspace dataset, or 'generated' */
  dataset: string;
  sequences_per_s: number;
  ms_per_step: number;
  batch: number;
  max_len: number;
  predictions_per_batch: number;
  /** 0, or the short step's length (then `shapes` has both steps) */
  short_len: number;
  /** each compiled step (the full-length one first) and how many of the timed steps it ran */
  shapes: { batch: number; length: number; predictions: number; timed_steps: number }[];
  steps: number;
  users: number;
  items: number;
  device: string;
  threads: number;
  /** the engine benchmark (B = 64, T = 200, 40 masked, 3.7k items): its step and sequences/s */
  engine: { ms_per_step: number; sequences_per_s: number; batch: number } | null;
  /** CPU seconds of this process (both benchmarks) and the 1-minute load average at the end */
  cpu_seconds: number;
  load_average: number;
}

/** A workspace dataset's split, read through a connection of its own (the bench runs in a job thread). */
function datasetSplit(data: { workspace: string; dataset: string }, config: Bert4RecConfig): SequenceSplit {
  const workspace = openWorkspace(data.workspace, { readonly: true });
  try {
    return loadSplit(workspace, data.dataset, config.k_core);
  } finally {
    workspace.close();
  }
}

/** A MovieLens-1M-shaped log: users with 20..400 items, Zipf-skewed item choice with local repetition. */
export function generatedSplit(users: number, items: number, seed: number): SequenceSplit {
  const random = new Random(seed);
  const offsets = new Int32Array(users + 1);
  const lengths = Array.from({ length: users }, () => 20 + random.int(381));
  for (let u = 0; u < users; u++) offsets[u + 1] = offsets[u] + lengths[u];
  const sequence = new Int32Array(offsets[users]);
  for (let u = 0; u < users; u++) {
    let last = random.int(items);
    for (let j = offsets[u]; j < offsets[u + 1]; j++) {
      // half the time a neighbour of the last item (sequential structure), else a popular one
      last = random.chance(0.5) ? (last + 1 + random.int(5)) % items : Math.floor(items * random.next() ** 3);
      sequence[j] = last;
    }
  }
  return splitLeaveOneOut(
    {
      users: Int32Array.from({ length: users }, (_, u) => u),
      offsets,
      items: sequence,
      times: new Float64Array(sequence.length),
    },
    items,
    { hasTime: true, source: 'generated log' },
  );
}

export async function benchBert4Rec(options: Bert4RecBenchOptions): Promise<Bert4RecBenchResult> {
  const cpuStart = process.cpuUsage();
  const config = { ...options.config, seed: options.seed };
  const split = options.data
    ? datasetSplit(options.data, config)
    : generatedSplit(options.users, options.items, options.seed);
  const windows = trainingWindows(split, config);
  const instances = epochInstances(windows, config, 0);
  const shapes = stepShapes(windows, instances, config, 0);
  const [program, ...variants] = shapes.map((shape) => trainProgram(config, split.items, shape, 100_000));
  const thread = await TrainerThread.start({
    program,
    variants,
    device: options.device,
    threads: options.threads,
  });
  const timed = shapes.map(() => 0);
  let seconds = 0;
  let sequences = 0;
  let steps = 0;
  try {
    const batches = trainingBatches(split, windows, instances, config, shapes, 0);
    let pending = batches.next();
    let timedFrom = 0;
    for (let i = 0; i < options.warmup + options.steps; i++) {
      if (pending.done)
        throw new Error(
          `bench bert4rec: the ${options.data ? 'dataset' : 'generated log'} ran out of batches; time fewer steps${options.data ? '' : ' or raise users'}`,
        );
      if (i === options.warmup) timedFrom = performance.now();
      const { batch, sequences: n, variant } = pending.value;
      const stepping = thread.step(batch, variant);
      pending = batches.next();
      const { loss } = await stepping;
      if (!Number.isFinite(loss)) throw new Error(`bench bert4rec: step ${i} gave loss ${loss}`);
      if (i >= options.warmup) {
        sequences += n;
        steps++;
        timed[variant]++;
      }
    }
    seconds = (performance.now() - timedFrom) / 1000;
  } finally {
    await thread.stop();
  }
  const device = thread.started;
  let engine: Bert4RecBenchResult['engine'] = null;
  if (options.engine) {
    const sizes = engineBenchSizes([`steps=${options.steps}`, `warmup=${options.warmup}`]);
    if (options.threads) sizes.threads = options.threads;
    const { result } = await benchEngine(sizes, {
      device: options.device === 'auto' ? 'cpu' : options.device,
    });
    engine = {
      ms_per_step: result.ms_per_step,
      sequences_per_s: (1000 * sizes.batch) / result.ms_per_step,
      batch: sizes.batch,
    };
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    preset: options.preset,
    dataset: options.data?.dataset ?? 'generated',
    sequences_per_s: sequences / seconds,
    ms_per_step: (1000 * seconds) / steps,
    batch: config.batch_size,
    max_len: config.max_len,
    predictions_per_batch: shapes[0].predictions,
    short_len: config.short_len,
    shapes: shapes.map(({ batch, length, predictions }, k) => ({
      batch,
      length,
      predictions,
      timed_steps: timed[k],
    })),
    steps,
    users: split.users.length,
    items: split.items,
    device: device.provider,
    threads: device.threads,
    engine,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    load_average: Math.round(os.loadavg()[0] * 100) / 100,
  };
}
