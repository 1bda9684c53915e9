// Training and evaluation batches as the compiled programs take them, built from the split on the
// job's thread while the trainer thread runs the previous step.
//
// Windows: a training part longer than N is cut as the authors' gen_data_fin.py cuts it: windows of
// N items starting at L - N, L - N - step, ... and 0. Cloze instances: every window dupe_factor
// times, each with its own random masks (p of the items, at least 1, at most max_predictions), plus
// (mask_last) once with only its last item masked. Next-item instances (the causal baseline): the
// window's first N items as input, each position predicting the one after it.
//
// Sequences are left-padded with 0, so the most recent item always sits at position N - 1.
// Masked positions of the whole batch are packed into one list of `predictions` rows (flat indices
// into [B * N]; unused rows have label 0, which the loss ignores): the output layer then costs
// what the batch really predicts, not B x max_predictions. A batch ends when it has B sequences or
// when the next instance's predictions would not fit.
//
// Short windows (short_len): most users of a sparse log have a handful of items, yet every row of
// a batch costs N positions through the encoder. With short_len set, instances whose input has at
// most short_len items train through a second compiled step of length short_len (the same weights;
// left padding keeps the most recent item at the last position, and the step reads the last
// short_len position embeddings), so they cost short_len positions. An epoch's order then comes in
// runs of B instances of one class, and a batch never mixes the two. Each step is sized to what
// its class's batches hold (stepShapes).
//
// Everything random is drawn from generators seeded by (seed, epoch, instance), so an epoch is the
// same whatever the batch size, and a resumed run continues exactly from its cursor.
import { Random } from '../../demo/random.ts';
import { mix } from '../../eval/ranking.ts';
import { type Bert4RecConfig, predictionsPerBatch } from './config.ts';
import { history, type Phase, type SequenceSplit, trainingPart } from './sequences.ts';

export interface Window {
  user: number;
  /** range in split.sequence */
  from: number;
  to: number;
}

export interface Instance {
  window: number;
  /** 0..dupe_factor-1: a random Cloze mask; -1: only the last item masked; -2: next-item targets */
  copy: number;
}

/** Training windows of every user's training part (with the validation item when train_on_validation). */
export function trainingWindows(split: SequenceSplit, config: Bert4RecConfig): Window[] {
  const windows: Window[] = [];
  const next = config.objective === 'next';
  // the next-item objective reads N inputs and their N targets: windows one item longer
  const span = next ? config.max_len + 1 : config.max_len;
  const minimum = next ? 2 : 1;
  for (let u = 0; u < split.users.length; u++) {
    // a training part starts where the user's sequence starts
    const from = split.offsets[u];
    const length = trainingPart(split, u, config.train_on_validation).length;
    if (length < minimum) continue;
    if (length <= span) {
      windows.push({ user: u, from, to: from + length });
      continue;
    }
    const starts: number[] = [];
    for (let b = length - span; b > 0; b -= config.window_step) starts.push(b);
    starts.push(0);
    for (const b of starts) windows.push({ user: u, from: from + b, to: from + b + span });
  }
  return windows;
}

/** One epoch's instances in their shuffled order. */
export function epochInstances(
  windows: readonly Window[],
  config: Bert4RecConfig,
  epoch: number,
): Instance[] {
  const instances: Instance[] = [];
  for (let w = 0; w < windows.length; w++) {
    if (config.objective === 'next') {
      instances.push({ window: w, copy: -2 });
      continue;
    }
    for (let c = 0; c < config.dupe_factor; c++) instances.push({ window: w, copy: c });
    if (config.mask_last) instances.push({ window: w, copy: -1 });
  }
  const random = new Random(mix(config.seed, 1_000_003 + epoch));
  for (let i = instances.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [instances[i], instances[j]] = [instances[j], instances[i]];
  }
  if (!config.short_len) return instances;
  // runs of batch_size instances of one class, each run placed where it filled up, so batches
  // stay one class and the classes stay mixed over the epoch
  const runs: Instance[][] = [[], []];
  const ordered: Instance[] = [];
  for (const inst of instances) {
    const run = runs[lengthClass(windows[inst.window], inst, config)];
    run.push(inst);
    if (run.length === config.batch_size) ordered.push(...run.splice(0));
  }
  ordered.push(...runs[0], ...runs[1]);
  return ordered;
}

/** Items an instance feeds the encoder. */
const inputLength = (window: Window, instance: Instance): number =>
  window.to - window.from - (instance.copy === -2 ? 1 : 0);

/** 1 when the instance trains through the short step, else 0 (the full-length step). */
export const lengthClass = (window: Window, instance: Instance, config: Bert4RecConfig): 0 | 1 =>
  config.short_len > 0 && inputLength(window, instance) <= config.short_len ? 1 : 0;

/** The positions an instance predicts (what maskInstance produces, without drawing the masks). */
export function predictionCount(window: Window, instance: Instance, config: Bert4RecConfig): number {
  if (instance.copy === -2) return inputLength(window, instance);
  if (instance.copy === -1) return 1;
  return Math.min(
    config.max_predictions,
    Math.max(1, Math.round((window.to - window.from) * config.mask_prob)),
  );
}

/** Sizes of a compiled training step. */
export interface BatchShape {
  batch: number;
  length: number;
  predictions: number;
  /** sampled-softmax negatives per batch (0: full softmax) */
  negatives: number;
}

/**
 * The compiled steps: the full-length one (batch_size x N, batch_predictions), and with short_len
 * the short one. Each is sized to what its class's batches hold on average, with a quarter more
 * room so that few batches end early: the short step gets the predictions its B instances make,
 * and the full-length step, whose long instances make many predictions each, gets the rows that
 * batch_predictions can feed (rows the predictions cannot fill would only cost encoder time).
 */
export function stepShapes(
  windows: readonly Window[],
  instances: readonly Instance[],
  config: Bert4RecConfig,
  negatives: number,
): BatchShape[] {
  const B = config.batch_size;
  const M = predictionsPerBatch(config);
  const full: BatchShape = { batch: B, length: config.max_len, predictions: M, negatives };
  if (!config.short_len) return [full];
  const count = [0, 0];
  const predicted = [0, 0];
  for (const inst of instances) {
    const window = windows[inst.window];
    const c = lengthClass(window, inst, config);
    count[c]++;
    predicted[c] += predictionCount(window, inst, config);
  }
  if (count[1] === 0) return [full];
  const room = 1.25;
  const perShort = predicted[1] / count[1];
  const short: BatchShape = {
    batch: B,
    length: config.short_len,
    predictions: Math.min(M, roundUp(room * B * perShort, 16)),
    negatives,
  };
  if (count[0] === 0) return [full, short];
  const perLong = predicted[0] / count[0];
  return [{ ...full, batch: Math.max(1, Math.min(B, Math.ceil((room * M) / perLong))) }, short];
}

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;

/** Batch boundaries: [start, end) of the epoch order, and the step (class) the batch goes through. */
function* packing(
  windows: readonly Window[],
  instances: readonly Instance[],
  config: Bert4RecConfig,
  shapes: readonly BatchShape[],
  from: number,
): Generator<{ start: number; end: number; variant: number }> {
  // with one step (no short windows in the data) every instance goes through it
  const stepOf = (inst: Instance) =>
    shapes.length > 1 ? lengthClass(windows[inst.window], inst, config) : 0;
  let at = from;
  while (at < instances.length) {
    const start = at;
    const variant = stepOf(instances[at]);
    const { batch: B, predictions: M } = shapes[variant];
    let used = 0;
    while (at - start < B && at < instances.length) {
      const inst = instances[at];
      if (at > start && stepOf(inst) !== variant) break;
      const n = predictionCount(windows[inst.window], inst, config);
      // a batch always takes its first instance (trimmed to fit); later ones wait for the next batch
      if (at > start && used + n > M) break;
      used = Math.min(M, used + n);
      at++;
    }
    yield { start, end: at, variant };
  }
}

/** Exact number of batches (steps) of an epoch, for the learning-rate schedule. */
export function batchesPerEpoch(
  windows: readonly Window[],
  instances: readonly Instance[],
  config: Bert4RecConfig,
  shapes: readonly BatchShape[],
): number {
  let batches = 0;
  for (const _ of packing(windows, instances, config, shapes, 0)) batches++;
  return batches;
}

/** ids [B * N], masked_positions and labels [predictions], seed [1], and negatives [K] for the sampled softmax. */
export type TrainingBatch = Record<string, BigInt64Array>;

/** Tokens of one instance: input items and (position, label) pairs, before padding. */
function maskInstance(
  split: SequenceSplit,
  window: Window,
  instance: Instance,
  config: Bert4RecConfig,
  epoch: number,
  index: number,
): { input: Int32Array; positions: number[]; labels: number[] } {
  const items = split.sequence.subarray(window.from, window.to);
  if (instance.copy === -2) {
    const input = items.slice(0, items.length - 1);
    return {
      input,
      positions: Array.from({ length: input.length }, (_, k) => k),
      labels: Array.from(items.subarray(1)),
    };
  }
  const input = items.slice();
  const mask = split.items + 1;
  if (instance.copy === -1) {
    input[input.length - 1] = mask;
    return { input, positions: [input.length - 1], labels: [items[items.length - 1]] };
  }
  const random = new Random(mix(config.seed, mix(epoch, index)));
  const length = items.length;
  const count = predictionCount(window, instance, config);
  const order = Array.from({ length }, (_, k) => k);
  for (let k = 0; k < count; k++) {
    const j = k + random.int(length - k);
    [order[k], order[j]] = [order[j], order[k]];
  }
  const chosen = order.slice(0, count).sort((a, b) => a - b);
  for (const k of chosen) {
    if (!config.bert_masking) input[k] = mask;
    else {
      const r = random.next();
      if (r < 0.8) input[k] = mask;
      else if (r < 0.9) input[k] = 1 + random.int(split.items);
    }
  }
  return { input, positions: chosen, labels: chosen.map((k) => items[k]) };
}

/**
 * Builds the batches of an epoch from instance `from` on, one at a time (a generator, so the
 * caller builds the next batch while a step runs). Each yields the batch, the step it is shaped
 * for (an index into `shapes`) and the instance index after it (the cursor a checkpoint stores).
 */
export function* trainingBatches(
  split: SequenceSplit,
  windows: readonly Window[],
  instances: readonly Instance[],
  config: Bert4RecConfig,
  shapes: readonly BatchShape[],
  epoch: number,
  from = 0,
  negativeSampler?: (random: Random) => BigInt64Array,
): Generator<{ batch: TrainingBatch; next: number; sequences: number; variant: number }> {
  let step = 0;
  for (const { start, end, variant } of packing(windows, instances, config, shapes, from)) {
    const { batch: B, length: T, predictions: M } = shapes[variant];
    const ids = new BigInt64Array(B * T);
    const positions = new BigInt64Array(M);
    const labels = new BigInt64Array(M);
    let used = 0;
    for (let at = start; at < end; at++) {
      const row = at - start;
      const inst = instances[at];
      const masked = maskInstance(split, windows[inst.window], inst, config, epoch, at);
      const offset = T - masked.input.length;
      for (let k = 0; k < masked.input.length; k++) ids[row * T + offset + k] = BigInt(masked.input[k]);
      // the most recent predictions are kept when an instance has more than fit
      const skip = Math.max(0, masked.positions.length - (M - used));
      for (let k = skip; k < masked.positions.length; k++) {
        positions[used] = BigInt(row * T + offset + masked.positions[k]);
        labels[used] = BigInt(masked.labels[k]);
        used++;
      }
    }
    const batch: TrainingBatch = {
      ids,
      masked_positions: positions,
      labels,
      seed: BigInt64Array.of(BigInt(mix(config.seed, mix(epoch, step)))),
    };
    if (negativeSampler)
      batch.negatives = negativeSampler(new Random(mix(config.seed ^ 0x5bd1e995, mix(epoch, step))));
    step++;
    yield { batch, next: end, sequences: end - start, variant };
  }
}

/**
 * Evaluation input of users: each row is the phase's history, the last N - 1 items and [MASK]
 * (Cloze) or the last N items (next-item), left-padded; the score row is position N - 1.
 */
export function evaluationIds(
  split: SequenceSplit,
  users: ArrayLike<number>,
  phase: Phase,
  config: Bert4RecConfig,
  rows: number,
): BigInt64Array {
  const T = config.max_len;
  const ids = new BigInt64Array(rows * T);
  for (let r = 0; r < users.length; r++) {
    const h = history(split, users[r], phase);
    fillHistory(ids.subarray(r * T, (r + 1) * T), h, config.objective, split.items + 1);
  }
  return ids;
}

/** Writes one left-padded input row for a history (the shared form of evaluation and `recommend`). */
export function fillHistory(
  row: BigInt64Array,
  items: ArrayLike<number>,
  objective: Bert4RecConfig['objective'],
  mask: number,
): void {
  const T = row.length;
  const room = objective === 'cloze' ? T - 1 : T;
  const take = Math.min(room, items.length);
  const start = room - take;
  for (let k = 0; k < take; k++) row[start + k] = BigInt(items[items.length - take + k]);
  if (objective === 'cloze') row[T - 1] = BigInt(mask);
}
