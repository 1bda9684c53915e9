// A BERT4Rec (or baseline) run from start to stored results: the run is recorded first (config,
// seed, device, code version), the model trains through the shared training loop
// (../training-loop.ts) with validation NDCG@10 after every epoch driving early stopping and the
// best checkpoint (or, with train_on_validation, no validation and the last epoch kept), and only
// then is the test split scored, under all three protocols. The item embeddings, metrics and an
// exported recommender (.onnx) are stored with the run. A cancel writes a checkpoint with the data
// cursor, so `resume` continues the same run where it stopped.
import path from 'node:path';
import type { ProtocolName, RankingMetrics } from '../../eval/ranking.ts';
import { itemType } from '../../ingest/interactions/interaction-log.ts';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import { saveModel } from '../../onnx/runtime/export.ts';
import type { TrainerThread } from '../../onnx/runtime/trainer-thread.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { codeVersion } from '../code-version.ts';
import { runDirectory } from '../run-directory.ts';
import { loopSettings, type RunOutcome, recordRun, runTrainingLoop } from '../training-loop.ts';
import { batchesPerEpoch, epochInstances, stepShapes, trainingBatches, trainingWindows } from './batches.ts';
import type { Bert4RecConfig } from './config.ts';
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
  /** the share of the training phase done (0 to 1) */
  trained?: number;
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

export interface TrainResult extends Omit<RunOutcome, 'stopped'> {
  model: string;
  stopped: RunOutcome['stopped'] | 'nothing-to-train';
  sequences_per_s: number;
  split: SplitStats;
  validation: RankingMetrics | null;
  test: Record<ProtocolName, RankingMetrics>;
  model_file: string | null;
}

export const modelNameOf = (objective: Bert4RecConfig['objective']): string =>
  objective === 'cloze' ? 'bert4rec' : objective === 'next' ? 'sasrec' : 'popularity';

export const recommenderFile = (dir: string) => path.join(dir, 'recommender.onnx');

export async function trainBert4Rec(workspace: Workspace, request: TrainRequest): Promise<TrainResult> {
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
  const outcome = await recordRun(workspace, run.id, async () => {
    const result =
      config.objective === 'popularity'
        ? await popularityRun(split, config, request)
        : await transformerRun(
            workspace,
            split,
            config,
            request,
            run.id,
            runDirectory(workspace.path, run.id),
            progress,
          );
    const points = Object.entries(result.test).flatMap(([protocol, metrics]) =>
      Object.entries(metrics).map(([name, value]) => ({
        name: `test/${protocol}/${name}`,
        step: result.steps,
        value,
      })),
    );
    workspace.runs.appendMetrics(run.id, points);
    return result;
  });
  return { run: run.id, model: modelNameOf(config.objective), split: split.stats, ...outcome };
}

type TrainingOutcome = Omit<TrainResult, 'run' | 'model' | 'seconds' | 'cpu_seconds' | 'split'>;

async function popularityRun(
  split: SequenceSplit,
  config: Bert4RecConfig,
  request: TrainRequest,
): Promise<TrainingOutcome> {
  const scorer = popularityScorer(trainingPopularity(split, config.train_on_validation), config.eval_batch);
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

function transformerRun(
  workspace: Workspace,
  split: SequenceSplit,
  config: Bert4RecConfig,
  request: TrainRequest,
  runId: number,
  dir: string,
  progress: (p: TrainProgress) => void,
): Promise<TrainingOutcome> {
  const windows = trainingWindows(split, config);
  if (windows.length === 0) {
    const held = config.train_on_validation
      ? "each user's test item is"
      : "each user's validation and test items are";
    throw new Error(
      `dataset ${request.dataset}: no training part has ${config.objective === 'next' ? 'two items' : 'an item'} once ${held} held out`,
    );
  }
  const negatives = config.loss === 'sampled' ? Math.min(config.sampled_negatives, split.items) : 0;
  const firstInstances = epochInstances(windows, config, 0);
  const shapes = stepShapes(windows, firstInstances, config, negatives);
  const totalSteps = batchesPerEpoch(windows, firstInstances, config, shapes) * config.epochs;
  const [program, ...variants] = shapes.map((shape) => trainProgram(config, split.items, shape, totalSteps));
  const evaluation = scoreProgram(config, split.items, config.eval_batch);
  const scorerOf =
    (thread: TrainerThread): Scorer =>
    async (ids) =>
      (await thread.evaluate({ ids })).outputs.scores as Float32Array;
  const valUsers = evaluationUsers(split, config.val_users, config.seed);
  const sampler = negatives
    ? (random: { int(n: number): number }) => {
        const out = new BigInt64Array(negatives);
        for (let k = 0; k < negatives; k++) out[k] = BigInt(1 + random.int(split.items));
        return out;
      }
    : undefined;
  return runTrainingLoop({
    workspace,
    run: runId,
    program,
    variants,
    evaluation,
    ...loopSettings(request, config),
    examplesPerEpoch: firstInstances.length,
    batches: function* (epoch, from) {
      const instances = epochInstances(windows, config, epoch);
      for (const { batch, next, sequences, variant } of trainingBatches(
        split,
        windows,
        instances,
        config,
        shapes,
        epoch,
        from,
        sampler,
      )) {
        yield { batch, next, examples: sequences, variant };
      }
    },
    validate: async (thread, { epoch, step }) => {
      const metrics = await evaluateRanking(split, config, scorerOf(thread), {
        phase: 'validation',
        protocols: [config.protocol],
        users: valUsers,
        rows: config.eval_batch,
        seed: config.seed,
        signal: request.signal,
        onProgress: (done, total) => progress({ phase: 'validation', epoch, step, done, total }),
      });
      const val = metrics[config.protocol];
      return {
        score: val['NDCG@10'],
        metrics: Object.fromEntries(
          Object.entries(val).map(([name, value]) => [`val/${config.protocol}/${name}`, value]),
        ),
        details: val,
      };
    },
    // with train_on_validation the validation items are training data: scoring them would only
    // say how well they were learnt
    validates: !config.train_on_validation,
    divergenceAdvice: `lower lr (now ${config.lr})`,
    onTraining: ({ rate, ...p }) => progress({ phase: 'training', ...p, sequences_per_s: rate }),
    signal: request.signal,
    finish: async (thread, summary, bestValidation) => {
      const at = { epoch: summary.epochs, step: summary.steps };
      progress({ phase: 'test', ...at });
      const test = await evaluateRanking(split, config, scorerOf(thread), {
        phase: 'test',
        protocols: allProtocols,
        users: evaluationUsers(split, 0, config.seed),
        rows: config.eval_batch,
        seed: config.seed,
        signal: request.signal,
        onProgress: (done, total) => progress({ phase: 'test', ...at, done, total }),
      });
      progress({ phase: 'storing', ...at });
      const parameters = (await thread.parameters()) as Record<string, Float32Array>;
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
      const { examples_per_s, best_score: _ndcg, ...rest } = summary;
      return {
        ...rest,
        sequences_per_s: examples_per_s,
        validation: bestValidation as RankingMetrics | null,
        test,
        model_file: modelFile,
      };
    },
  });
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
