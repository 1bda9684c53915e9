// A BERT4Rec (or baseline) run from start to stored results: the run is recorded first (config,
// seed, device, code version), the model trains in the runtime's trainer thread while this thread
// builds the next batch, validation NDCG@10 after every epoch drives early stopping and keeps the
// best checkpoint, and only then is the test split scored, under all three protocols. The item
// embeddings, metrics and an exported recommender (.onnx) are stored with the run. A cancel writes
// a checkpoint with the data cursor, so `resume` continues the same run where it stopped.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ProtocolName, RankingMetrics } from '../../eval/ranking.ts';
import { itemType } from '../../ingest/interactions/interaction-log.ts';
import { readCheckpoint } from '../../onnx/runtime/checkpoint.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import { saveModel } from '../../onnx/runtime/export.ts';
import { TrainerThread } from '../../onnx/runtime/trainer-thread.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { codeVersion } from '../code-version.ts';
import { bestCheckpoint, lastCheckpoint, runDirectory } from '../run-directory.ts';
import { epochInstances, type Instance, trainingBatches, trainingWindows, type Window } from './batches.ts';
import { type Bert4RecConfig, predictionsPerBatch } from './config.ts';
import { evaluateRanking, evaluationUsers, popularityScorer, type Scorer } from './evaluate.ts';
import { recommenderModel, scoreProgram, trainProgram } from './model.ts';
import { loadSplit, type SequenceSplit, type SplitStats, trainingPopularity } from './sequences.ts';

export const allProtocols: readonly ProtocolName[] = ['pop100', 'uniform100', 'full'];

/** Items in the exported recommender's answer. */
export const exportedTopK = 100;

export interface TrainProgress {
  phase: 'loading' | 'training' | 'validation' | 'test' | 'storing';
  epoch: number;
  step: number;
  loss?: number;
  lr?: number;
  sequences_per_s?: number;
  /** seconds left in this training phase at the current speed */
  eta_s?: number;
  done?: number;
  total?: number;
}

export interface TrainRequest {
  dataset: string;
  config: Bert4RecConfig;
  device: DeviceChoice;
  threads?: number;
  /** continue this cancelled run from its last checkpoint instead of starting one */
  resume?: number;
  onProgress?(progress: TrainProgress): void;
  signal?: AbortSignal;
}

export interface TrainResult {
  run: number;
  model: string;
  seconds: number;
  cpu_seconds: number;
  device: string;
  epochs: number;
  steps: number;
  best_epoch: number;
  stopped: 'epochs' | 'patience' | 'time' | 'nothing-to-train';
  sequences_per_s: number;
  split: SplitStats;
  validation: RankingMetrics | null;
  test: Record<ProtocolName, RankingMetrics>;
  model_file: string | null;
}

/** What a checkpoint's cursor holds: where the data pipeline and early stopping stand. */
interface Cursor {
  epoch: number;
  instance: number;
  bestEpoch: number;
  bestNdcg: number;
  bestMetrics: RankingMetrics | null;
  badEpochs: number;
  sequences: number;
  trainSeconds: number;
}

export const modelNameOf = (objective: Bert4RecConfig['objective']): string =>
  objective === 'cloze' ? 'bert4rec' : objective === 'next' ? 'sasrec' : 'popularity';

export const recommenderFile = (dir: string) => path.join(dir, 'recommender.onnx');

class TrainingCancelled extends Error {
  constructor(run: number, step: number) {
    super(
      `training of run ${run} cancelled at step ${step}; a checkpoint was kept (resume it with --resume ${run})`,
    );
    this.name = 'AbortError';
  }
}

export async function trainBert4Rec(workspace: Workspace, request: TrainRequest): Promise<TrainResult> {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const progress = request.onProgress ?? (() => {});
  const dataset = workspace.datasets.require(request.dataset);
  const resumed = request.resume === undefined ? null : workspace.runs.get(request.resume);
  if (request.resume !== undefined && (!resumed || resumed.datasetId !== dataset.id)) {
    throw new Error(`there is no run ${request.resume} of dataset ${request.dataset} to resume`);
  }
  const config = resumed ? (resumed.config as unknown as Bert4RecConfig) : request.config;
  progress({ phase: 'loading', epoch: 0, step: 0 });
  const split = loadSplit(workspace, request.dataset, config.k_core);
  const run =
    resumed ??
    workspace.runs.create({
      datasetId: dataset.id,
      model: modelNameOf(config.objective),
      config: { ...config, split: split.stats } as unknown as Record<string, unknown>,
      seed: config.seed,
      device: request.device,
      codeVersion: codeVersion(),
    });
  workspace.runs.setStatus(run.id, 'running');
  const dir = runDirectory(workspace.path, run.id);
  mkdirSync(dir, { recursive: true });
  try {
    const result =
      config.objective === 'popularity'
        ? await popularityRun(split, config, request)
        : await transformerRun(workspace, split, config, request, run.id, dir, progress);
    const seconds = (performance.now() - wallStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    workspace.runs.addSeconds(run.id, seconds);
    const points = Object.entries(result.test).flatMap(([protocol, metrics]) =>
      Object.entries(metrics).map(([name, value]) => ({
        name: `test/${protocol}/${name}`,
        step: result.steps,
        value,
      })),
    );
    workspace.runs.appendMetrics(run.id, points);
    workspace.runs.setStatus(run.id, 'done');
    return {
      run: run.id,
      model: modelNameOf(config.objective),
      seconds,
      cpu_seconds: (cpu.user + cpu.system) / 1e6,
      split: split.stats,
      ...result,
    };
  } catch (error) {
    const cancelled = (error as Error).name === 'AbortError';
    workspace.runs.setStatus(run.id, cancelled ? 'cancelled' : 'failed', cancelled ? null : String(error));
    throw error;
  }
}

type RunOutcome = Omit<TrainResult, 'run' | 'model' | 'seconds' | 'cpu_seconds' | 'split'>;

async function popularityRun(
  split: SequenceSplit,
  config: Bert4RecConfig,
  request: TrainRequest,
): Promise<RunOutcome> {
  const scorer = popularityScorer(trainingPopularity(split), config.eval_batch);
  const users = evaluationUsers(split, 0, config.seed);
  const test = await evaluateRanking(split, config, scorer, {
    phase: 'test',
    protocols: allProtocols,
    users,
    rows: config.eval_batch,
    seed: config.seed,
    signal: request.signal,
  });
  return {
    device: 'cpu',
    epochs: 0,
    steps: 0,
    best_epoch: 0,
    stopped: 'nothing-to-train',
    sequences_per_s: 0,
    validation: null,
    test,
    model_file: null,
  };
}

/** Exact number of batches of one epoch (packing depends only on each instance's prediction count). */
function batchesPerEpoch(
  windows: readonly Window[],
  instances: readonly Instance[],
  config: Bert4RecConfig,
  B: number,
  M: number,
): number {
  let batches = 0;
  let rows = 0;
  let used = 0;
  for (const inst of instances) {
    const w = windows[inst.window];
    const length = w.to - w.from;
    const n =
      inst.copy === -2
        ? length - 1
        : inst.copy === -1
          ? 1
          : Math.min(config.max_predictions, Math.max(1, Math.round(length * config.mask_prob)));
    if (rows >= B || (rows > 0 && used + n > M)) {
      batches++;
      rows = 0;
      used = 0;
    }
    rows++;
    used = Math.min(M, used + n);
  }
  return batches + (rows > 0 ? 1 : 0);
}

async function transformerRun(
  workspace: Workspace,
  split: SequenceSplit,
  config: Bert4RecConfig,
  request: TrainRequest,
  runId: number,
  dir: string,
  progress: (p: TrainProgress) => void,
): Promise<RunOutcome> {
  const windows = trainingWindows(split, config);
  if (windows.length === 0) {
    throw new Error(
      `dataset ${request.dataset}: no training part has ${config.objective === 'next' ? 'two items' : 'an item'} once the last two items of each user are held out`,
    );
  }
  const B = config.batch_size;
  const M = predictionsPerBatch(config);
  const negatives = config.loss === 'sampled' ? Math.min(config.sampled_negatives, split.items) : 0;
  const perEpoch = batchesPerEpoch(windows, epochInstances(windows, config, 0), config, B, M);
  const totalSteps = perEpoch * config.epochs;
  const train = trainProgram(config, split.items, { batch: B, predictions: M, negatives }, totalSteps);
  const score = scoreProgram(config, split.items, config.eval_batch);
  const last = lastCheckpoint(dir);
  const best = bestCheckpoint(dir);
  const thread = await TrainerThread.start({
    program: train,
    evaluation: score,
    device: request.device,
    threads: request.threads,
    resumeFrom: request.resume !== undefined ? last : undefined,
  });
  const started = thread.started;
  const cursor: Cursor = (started.cursor as Cursor | null) ?? {
    epoch: 0,
    instance: 0,
    bestEpoch: -1,
    bestNdcg: -1,
    bestMetrics: null,
    badEpochs: 0,
    sequences: 0,
    trainSeconds: 0,
  };
  let step = started.step;
  const scorer: Scorer = async (ids) => (await thread.evaluate({ ids })).outputs.scores as Float32Array;
  const valUsers = evaluationUsers(split, config.val_users, config.seed);
  let stopped: RunOutcome['stopped'] = 'epochs';
  const sampler = negatives
    ? (random: { int(n: number): number }) => {
        const out = new BigInt64Array(negatives);
        for (let k = 0; k < negatives; k++) out[k] = BigInt(1 + random.int(split.items));
        return out;
      }
    : undefined;
  try {
    while (cursor.epoch < config.epochs) {
      const epoch = cursor.epoch;
      const instances = epochInstances(windows, config, epoch);
      const batches = trainingBatches(
        split,
        windows,
        instances,
        config,
        { batch: B, length: config.max_len, predictions: M, negatives },
        epoch,
        cursor.instance,
        sampler,
      );
      let pending = batches.next();
      let lastReport = 0;
      let segmentStart = performance.now();
      let segmentSequences = 0;
      while (!pending.done) {
        const { batch, next, sequences } = pending.value;
        const stepping = thread.step(batch);
        pending = batches.next();
        const { loss, metrics } = await stepping;
        if (!Number.isFinite(loss))
          throw new Error(`training diverged: loss ${loss} at step ${step}; lower lr`);
        step++;
        cursor.instance = next;
        cursor.sequences += sequences;
        segmentSequences += sequences;
        const now = performance.now();
        if (step % 50 === 0) workspace.runs.appendMetrics(runId, [{ name: 'train/loss', step, value: loss }]);
        if (now - lastReport > 1000) {
          lastReport = now;
          const rate = (segmentSequences * 1000) / (now - segmentStart);
          const left = (config.epochs - epoch - 1) * perEpoch + (perEpoch - (step % Math.max(perEpoch, 1)));
          progress({
            phase: 'training',
            epoch,
            step,
            loss,
            lr: metrics.lr,
            sequences_per_s: rate,
            eta_s: rate > 0 ? (left * B) / rate : undefined,
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
      segmentSequences = 0;
      let metrics: Awaited<ReturnType<typeof evaluateRanking>>;
      try {
        metrics = await evaluateRanking(split, config, scorer, {
          phase: 'validation',
          protocols: [config.protocol],
          users: valUsers,
          rows: config.eval_batch,
          seed: config.seed,
          signal: request.signal,
          onProgress: (done, total) => progress({ phase: 'validation', epoch, step, done, total }),
        });
      } catch (error) {
        if ((error as Error).name !== 'AbortError') throw error;
        // Cancelled while validating: the epoch's training is kept (the cursor is at its end), so
        // a resume goes straight to this validation instead of losing the epoch.
        await thread.checkpoint(last, { cursor });
        workspace.runs.addCheckpoint(runId, step, { path: last });
        throw new TrainingCancelled(runId, step);
      }
      const val = metrics[config.protocol];
      workspace.runs.appendMetrics(
        runId,
        Object.entries(val).map(([name, value]) => ({ name: `val/${config.protocol}/${name}`, step, value })),
      );
      if (val['NDCG@10'] > cursor.bestNdcg) {
        cursor.bestNdcg = val['NDCG@10'];
        cursor.bestEpoch = epoch;
        cursor.badEpochs = 0;
        cursor.bestMetrics = val;
        await thread.checkpoint(best, { cursor });
        workspace.runs.addCheckpoint(runId, step, { path: best });
      } else cursor.badEpochs++;
      cursor.epoch = epoch + 1;
      cursor.instance = 0;
      await thread.checkpoint(last, { cursor });
      if (stopped === 'time') break;
      if (cursor.badEpochs >= config.patience) {
        stopped = 'patience';
        break;
      }
    }
    progress({ phase: 'test', epoch: cursor.epoch, step });
    const kept = await readCheckpoint(best, train);
    await thread.setParameters(kept.parameters);
    const test = await evaluateRanking(split, config, scorer, {
      phase: 'test',
      protocols: allProtocols,
      users: evaluationUsers(split, 0, config.seed),
      rows: config.eval_batch,
      seed: config.seed,
      signal: request.signal,
      onProgress: (done, total) => progress({ phase: 'test', epoch: cursor.epoch, step, done, total }),
    });
    progress({ phase: 'storing', epoch: cursor.epoch, step });
    const parameters = kept.parameters as Record<string, Float32Array>;
    storeItemEmbeddings(
      workspace,
      request.dataset,
      split,
      runId,
      parameters['embedding/items'],
      config.hidden,
    );
    const modelFile = recommenderFile(dir);
    await saveModel(
      modelFile,
      recommenderModel(config, split.items, exportedTopK, new Map(Object.entries(parameters))),
    );
    return {
      device: started.provider,
      epochs: cursor.epoch,
      steps: step,
      best_epoch: cursor.bestEpoch,
      stopped,
      sequences_per_s: cursor.trainSeconds > 0 ? cursor.sequences / cursor.trainSeconds : 0,
      validation: cursor.bestMetrics,
      test,
      model_file: modelFile,
    };
  } finally {
    await thread.stop();
  }
}

/** Rows 1..n of the item embedding, stored against the items' workspace entity ids. */
function storeItemEmbeddings(
  workspace: Workspace,
  datasetName: string,
  split: SequenceSplit,
  runId: number,
  table: Float32Array,
  dim: number,
): void {
  const dataset = workspace.datasets.require(datasetName);
  const itemIds = workspace.entities.ids(workspace.entities.type(dataset.id, itemType)!.id);
  const entityIds = Int32Array.from(split.itemIndex, (index) => itemIds[index]);
  const vectors = table.slice(dim, (split.items + 1) * dim);
  workspace.embeddings.put(runId, { entityIds, dim, vectors });
}
