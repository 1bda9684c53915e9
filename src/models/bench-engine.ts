// The engine benchmark (issue #3, "Speed"): one BERT4Rec-sized training step compiled by the
// step compiler and run by the Trainer, timed over many steps after warm-up. The step is the
// model's real math: item + position embeddings, LayerNorm and dropout, a post-norm Transformer
// encoder, the masked positions' hidden states gathered before the output layer, BERT's masked-LM
// head (dense + GELU + LayerNorm, logits against the shared item embedding plus a bias), softmax
// cross-entropy, AdamW with warmup and linear decay.
import os from 'node:os';
import { compileTrainStep } from '../onnx/compile.ts';
import type { Graph } from '../onnx/graph.ts';
import { softmaxCrossEntropy } from '../onnx/losses.ts';
import * as op from '../onnx/ops/index.ts';
import { adamw, schedule } from '../onnx/optim/index.ts';
import type { Program } from '../onnx/program.ts';
import { ModelProto } from '../onnx/proto.ts';
import type { DeviceChoice } from '../onnx/runtime/devices.ts';
import type { ProfileSummary } from '../onnx/runtime/profile.ts';
import { type Batch, Trainer } from '../onnx/runtime/trainer.ts';
import { transformerEncoder } from './transformer/encoder.ts';
import { initialValues } from './transformer/init.ts';
import { type EncoderConfig, encoderWeights, parametersOf } from './transformer/weights.ts';

export interface EngineBenchSizes {
  layers: number;
  hidden: number;
  heads: number;
  /** feed-forward width; 0 means 4 x hidden */
  ffn: number;
  /** sequence length T */
  length: number;
  batch: number;
  /** items; the vocabulary adds a padding (0) and a mask token (items + 1) */
  items: number;
  /** masked positions per sequence (the Cloze task's targets) */
  masked: number;
  dropout: number;
  /** timed steps, after `warmup` untimed ones */
  steps: number;
  warmup: number;
  /** intra-op threads; 0 means the machine's cores */
  threads: number;
  seed: number;
}

export const engineBenchDefaults: EngineBenchSizes = {
  layers: 2,
  hidden: 64,
  heads: 2,
  ffn: 0,
  length: 200,
  batch: 64,
  items: 3700,
  masked: 40,
  dropout: 0.1,
  steps: 20,
  warmup: 3,
  threads: 0,
  seed: 1,
};

/** Applies `key=value` overrides (every size is a number); unknown keys and bad values are errors. */
export function engineBenchSizes(overrides: readonly string[] = []): EngineBenchSizes {
  const sizes = { ...engineBenchDefaults };
  for (const item of overrides) {
    const match = /^([a-z]+)=(.+)$/.exec(item);
    const key = match?.[1] as keyof EngineBenchSizes | undefined;
    if (!match || !key || !(key in sizes)) {
      throw new Error(`--set ${item}: expected key=value with key one of ${Object.keys(sizes).join(', ')}`);
    }
    const value = Number(match[2]);
    const fractional = key === 'dropout';
    if (!Number.isFinite(value) || value < 0 || (!fractional && !Number.isInteger(value))) {
      throw new Error(`--set ${item}: ${key} must be a non-negative ${fractional ? 'number' : 'integer'}`);
    }
    sizes[key] = value;
  }
  if (sizes.masked > sizes.length)
    throw new Error(`--set: masked (${sizes.masked}) exceeds length (${sizes.length})`);
  if (sizes.dropout >= 1) throw new Error(`--set: dropout must be below 1, got ${sizes.dropout}`);
  if (sizes.hidden % sizes.heads !== 0)
    throw new Error(`--set: heads (${sizes.heads}) must divide hidden (${sizes.hidden})`);
  if (sizes.steps < 1) throw new Error('--set: steps must be at least 1');
  return sizes;
}

export function engineBenchEncoder(sizes: EngineBenchSizes): EncoderConfig {
  return {
    layers: sizes.layers,
    hidden: sizes.hidden,
    heads: sizes.heads,
    ffn: sizes.ffn || 4 * sizes.hidden,
    norm: 'post',
    gelu: 'tanh',
    layerNormEps: 1e-12,
    init: { kind: 'bert', std: 0.02 },
  };
}

/** The BERT4Rec-sized train step as a Program. */
export function engineBenchProgram(sizes: EngineBenchSizes): Program {
  const config = engineBenchEncoder(sizes);
  const { batch, length, hidden: d, masked } = sizes;
  const vocabulary = sizes.items + 2;
  const build = (g: Graph) => {
    const ids = g.input('ids', [batch, length], 'int64');
    const positions = g.input('masked_positions', [batch * masked], 'int64');
    const labels = g.input('labels', [batch * masked], 'int64');
    const seed = g.input('seed', [], 'int64');
    const param = (name: string, shape: number[], init: Parameters<typeof initialValues>[3]) =>
      g.parameter(name, shape, { values: initialValues(sizes.seed, name, shape, init) });
    const normal = { kind: 'truncated-normal', std: 0.02 } as const;
    const zeros = { kind: 'constant', value: 0 } as const;
    const ones = { kind: 'constant', value: 1 } as const;
    const items = param('embedding/items', [vocabulary, d], normal);
    const drop = sizes.dropout > 0 ? { hidden: sizes.dropout, attention: sizes.dropout, seed } : undefined;
    const x = g.scope('embedding', () => {
      const summed = op.add(op.embedding(items, ids), param('embedding/positions', [length, d], normal));
      const normed = op.layerNorm(
        summed,
        param('embedding/norm/gamma', [d], ones),
        param('embedding/norm/beta', [d], zeros),
        1e-12,
      );
      return drop ? op.dropout(normed, { p: drop.hidden, seed }) : normed;
    });
    const padding = op.not(op.equal(ids, 0));
    const weights = encoderWeights(parametersOf(g), config, sizes.seed);
    const { hidden } = transformerEncoder(x, weights, config, { padding, dropout: drop });
    const logits = g.scope('head', () => {
      // Only the masked positions reach the output layer: [B*masked, vocabulary] logits, not [B*T, ...].
      const picked = op.gather(op.reshape(hidden, [batch * length, d]), positions, 0);
      const transformed = op.gelu(
        op.linear(picked, param('head/w', [d, d], normal), param('head/b', [d], zeros)),
        'tanh',
      );
      const normed = op.layerNorm(
        transformed,
        param('head/norm/gamma', [d], ones),
        param('head/norm/beta', [d], zeros),
        1e-12,
      );
      return op.add(op.matmul(normed, op.transposeLast(items)), param('head/bias', [vocabulary], zeros));
    });
    const loss = g.scope('loss', () => softmaxCrossEntropy(logits, labels, { ignoreIndex: 0 }));
    return { loss };
  };
  return compileTrainStep({
    build,
    optimizer: adamw({ weightDecay: 0.01 }),
    schedule: schedule.warmupLinearDecay({ peak: 1e-3, warmupSteps: 100, totalSteps: 100_000 }),
    name: 'bench_engine',
  });
}

/** Nodes per ONNX op type in a serialised model (what the builder emitted, before onnxruntime fuses). */
export function modelNodeCounts(model: Uint8Array): Record<string, number> {
  const { graph } = ModelProto.toObject(ModelProto.decode(model)) as {
    graph: { node: { opType: string }[] };
  };
  const counts: Record<string, number> = {};
  for (const n of graph.node) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

/**
 * A deterministic Cloze batch: sequences of random lengths, left-padded with 0 as BERT4Rec pads;
 * `masked` positions of each sequence replaced by the mask token, their items as labels.
 */
export function engineBenchBatch(sizes: EngineBenchSizes, index: number): Batch {
  const { batch, length, items, masked } = sizes;
  let state = (sizes.seed * 7919 + index * 104_729) >>> 0;
  const rand = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ids = new BigInt64Array(batch * length);
  const positions = new BigInt64Array(batch * masked);
  const labels = new BigInt64Array(batch * masked);
  for (let b = 0; b < batch; b++) {
    const real = masked + Math.floor(rand() * (length - masked + 1));
    const start = length - real;
    for (let t = start; t < length; t++) ids[b * length + t] = BigInt(1 + Math.floor(rand() * items));
    // a partial Fisher-Yates shuffle picks `masked` distinct real positions
    const order = Array.from({ length: real }, (_, k) => start + k);
    for (let k = 0; k < masked; k++) {
      const j = k + Math.floor(rand() * (real - k));
      [order[k], order[j]] = [order[j], order[k]];
      const flat = b * length + order[k];
      positions[b * masked + k] = BigInt(flat);
      labels[b * masked + k] = ids[flat];
      ids[flat] = BigInt(items + 1);
    }
  }
  return { ids, masked_positions: positions, labels, seed: BigInt64Array.of(BigInt(index)) };
}

export interface EngineBenchResult {
  ms_per_step: number;
  steps_per_s: number;
  /** fastest and median step, milliseconds */
  ms_min: number;
  ms_median: number;
  /**
   * process CPU time per step, all threads together: less sensitive than wall time to other
   * work on a shared machine (at most threads x ms_per_step)
   */
  cpu_ms_per_step: number;
  device: string;
  threads: number;
  steps: number;
  warmup: number;
  /** first and last timed loss (a sanity check that the step trains) */
  loss_first: number;
  loss_last: number;
  parameters: number;
  /** ONNX nodes the builder emitted (before onnxruntime's own fusions) */
  nodes: number;
  compile_ms: number;
  session_ms: number;
  /** 1-minute load average when the timing ended: other work on the machine skews figures */
  load_average: number;
  sizes: EngineBenchSizes;
  node_counts: Record<string, number>;
}

export async function benchEngine(
  sizes: EngineBenchSizes,
  { device = 'cpu', profile = false }: { device?: DeviceChoice; profile?: boolean } = {},
): Promise<{ result: EngineBenchResult; profile: ProfileSummary | null }> {
  const compileStart = performance.now();
  const program = engineBenchProgram(sizes);
  const nodes = modelNodeCounts(program.model);
  const compileMs = performance.now() - compileStart;
  const sessionStart = performance.now();
  const trainer = await Trainer.create(program, {
    device,
    threads: sizes.threads || undefined,
    profile,
  });
  const sessionMs = performance.now() - sessionStart;
  try {
    const batches = Array.from({ length: 4 }, (_, i) => engineBenchBatch(sizes, i));
    const times: number[] = [];
    const losses: number[] = [];
    let cpu = { user: 0, system: 0 };
    for (let i = 0; i < sizes.warmup + sizes.steps; i++) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const { loss } = await trainer.step(batches[i % batches.length]);
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpuStart);
      if (!Number.isFinite(loss)) throw new Error(`bench engine: step ${i} gave loss ${loss}`);
      if (i >= sizes.warmup) {
        times.push(ms);
        losses.push(loss);
        cpu = { user: cpu.user + used.user, system: cpu.system + used.system };
      }
    }
    const total = times.reduce((a, b) => a + b, 0);
    const sorted = [...times].sort((a, b) => a - b);
    const round = (v: number) => Math.round(v * 100) / 100;
    const result: EngineBenchResult = {
      ms_per_step: round(total / times.length),
      steps_per_s: round((1000 * times.length) / total),
      ms_min: round(sorted[0]),
      ms_median: round(sorted[Math.floor(sorted.length / 2)]),
      cpu_ms_per_step: round((cpu.user + cpu.system) / 1000 / times.length),
      device: trainer.device.provider,
      threads: trainer.device.threads,
      steps: sizes.steps,
      warmup: sizes.warmup,
      loss_first: losses[0],
      loss_last: losses[losses.length - 1],
      parameters: program.parameters.reduce((n, p) => n + p.init.length, 0),
      nodes: Object.values(nodes).reduce((a, b) => a + b, 0),
      compile_ms: Math.round(compileMs),
      session_ms: Math.round(sessionMs),
      load_average: round(os.loadavg()[0]),
      sizes,
      node_counts: nodes,
    };
    return { result, profile: profile ? await trainer.profile(3) : null };
  } finally {
    await trainer.release();
  }
}
