// A metapath2vec run from start to stored embeddings: the run is recorded first (config, seed,
// device, code version), then walks are counted, the skip-gram is trained on the streamed walks,
// and the embeddings and metrics are written. A failure or a cancel marks the run and stores no
// embeddings.
import { availableParallelism } from 'node:os';
import { isolatedNodes, loadNetwork } from '../../network/heterogeneous-network.ts';
import { type MetaPath, parseMetaPath } from '../../network/meta-path.ts';
import { compileScheme, type WalkPlan } from '../../network/walks.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { codeVersion } from '../code-version.ts';
import type { Metapath2vecConfig } from './config.ts';
import { skipGramBackend } from './trainers.ts';
import { buildVocabulary, pairsPerPass, WalkCorpus } from './walk-corpus.ts';

export interface TrainProgress {
  phase: 'walks' | 'training' | 'storing';
  done: number;
  total: number;
  /** mean training loss per pair since the previous event that had one (the run's `train/loss` points) */
  loss?: number;
}

/** A `train/loss` point closes once this share of the run's pairs has passed since the last one: at most ~100 a run. */
const LOSS_POINT_SHARE = 0.01;

export interface TrainRequest {
  dataset: string;
  metapaths: string[];
  /** LETTER -> type name, for schemes written as A-P-V-P-A */
  abbreviations?: Record<string, string>;
  config: Metapath2vecConfig;
  /** auto, cpu, webgpu...: see trainers.ts */
  device: string;
  /** threads for walks and training; all cores by default */
  threads?: number;
  onProgress?(progress: TrainProgress): void;
  signal?: AbortSignal;
}

export interface TrainResult {
  run: number;
  seconds: number;
  walk_tokens_per_s: number;
  pairs_per_s: number;
  walks: number;
  walk_tokens: number;
  skipped_walks: number;
  shortened_walks: number;
  isolated_nodes: number;
  embedded_nodes: number;
  nodes_without_embedding: number;
  pairs: number;
}

export function modelName(variant: Metapath2vecConfig['variant']): string {
  return variant === 'plusplus' ? 'metapath2vec++' : 'metapath2vec';
}

/** Workspace entity id of every node id: the order of loadNetwork (types in order, indices within). */
function entityIdsOfNodes(workspace: Workspace, datasetId: number, nodes: number): Int32Array {
  const ids = new Int32Array(nodes);
  let at = 0;
  for (const type of workspace.entities.types(datasetId)) {
    const typeIds = workspace.entities.ids(type.id);
    ids.set(typeIds, at);
    at += typeIds.length;
  }
  return ids;
}

export async function trainMetapath2vec(workspace: Workspace, request: TrainRequest): Promise<TrainResult> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const { config, signal } = request;
  const progress = request.onProgress ?? (() => {});
  const dataset = workspace.datasets.require(request.dataset);
  const network = loadNetwork(workspace, dataset.id);
  const metapaths: MetaPath[] = request.metapaths.map((text) =>
    parseMetaPath(text, network.schema, request.abbreviations),
  );
  const backend = await skipGramBackend(request.device);
  const threads = request.threads ?? availableParallelism();
  const run = workspace.runs.create({
    datasetId: dataset.id,
    model: modelName(config.variant),
    config: {
      ...config,
      metapaths: metapaths.map((m) => m.types.join('-')),
      threads,
      trainer: backend.trainer,
      device_reason: backend.reason,
    },
    seed: config.seed,
    device: backend.device,
    codeVersion: codeVersion(),
  });
  workspace.runs.setStatus(run.id, 'running');
  const plan: WalkPlan = {
    schemes: metapaths.map((m) => compileScheme(network, m)),
    walksPerNode: config.walks_per_node,
    walkLength: config.walk_length,
    seed: config.seed,
  };
  const corpus = new WalkCorpus(network, plan, {
    threads,
    signal,
    onWalks: (done, total) => progress({ phase: 'walks', done, total }),
  });
  try {
    const counted = await corpus.count(config.window);
    const vocab = buildVocabulary(network, counted.counts, config.min_count);
    if (vocab.size === 0) {
      throw new RangeError(
        `the walks of ${request.metapaths.join(', ')} visit no node${config.min_count > 1 ? ` at least min_count = ${config.min_count} times` : ''}: nothing to embed`,
      );
    }
    // min_count shortens walks, and so changes the pair total the learning rate decays over
    const dropped = vocab.size < counted.counts.filter((c) => c > 0).length;
    const totalPairs = dropped ? await pairsPerPass(corpus, vocab, config.window) : counted.pairs;
    const lossCurve = new LossCurve(totalPairs * config.epochs);
    const trained = await backend.train(
      { chunks: corpus.chunks(vocab), totalPairs },
      vocab,
      {
        dim: config.dim,
        window: config.window,
        negatives: config.negatives,
        epochs: config.epochs,
        lr: config.lr,
        seed: config.seed,
        threads,
        variant: config.variant,
      },
      {
        signal,
        onProgress: (done, total, loss) => {
          const point = lossCurve.add(done, loss);
          if (point) workspace.runs.appendMetrics(run.id, [{ name: 'train/loss', ...point }]);
          progress({ phase: 'training', done, total, loss: point?.value });
        },
      },
    );
    for (let k = 0; k < trained.embeddings.length; k++) {
      if (!Number.isFinite(trained.embeddings[k])) {
        throw new Error(
          `training produced a non-finite embedding value (token ${Math.floor(k / config.dim)}); lower lr`,
        );
      }
    }
    progress({ phase: 'storing', done: 0, total: vocab.size });
    const entityOfNode = entityIdsOfNodes(workspace, dataset.id, network.nodeType.length);
    const entityIds = Int32Array.from(vocab.nodeOf, (node) => entityOfNode[node]);
    workspace.embeddings.put(run.id, { entityIds, dim: config.dim, vectors: trained.embeddings });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const result: TrainResult = {
      run: run.id,
      seconds,
      walk_tokens_per_s: counted.tokens / Math.max(counted.seconds, 1e-9),
      pairs_per_s: trained.pairs / Math.max(trained.seconds, 1e-9),
      walks: counted.walks,
      walk_tokens: counted.tokens,
      skipped_walks: counted.skipped,
      shortened_walks: counted.shortened,
      isolated_nodes: isolatedNodes(network),
      embedded_nodes: vocab.size,
      nodes_without_embedding: network.nodeType.length - vocab.size,
      pairs: trained.pairs,
    };
    const { run: _, ...figures } = result;
    workspace.runs.appendMetrics(run.id, [
      ...Object.entries(figures).map(([name, value]) => ({ name, step: 0, value })),
      { name: 'walk_seconds', step: 0, value: counted.seconds },
      { name: 'train_seconds', step: 0, value: trained.seconds },
      { name: 'cpu_seconds', step: 0, value: (cpu.user + cpu.system) / 1e6 },
      ...trained.epochLoss.map((value, epoch) => ({ name: 'train/epoch_loss', step: epoch + 1, value })),
    ]);
    workspace.runs.addSeconds(run.id, seconds);
    workspace.runs.setStatus(run.id, 'done');
    progress({ phase: 'storing', done: vocab.size, total: vocab.size });
    return result;
  } catch (error) {
    const cancelled = signal?.aborted === true;
    workspace.runs.setStatus(run.id, cancelled ? 'cancelled' : 'failed', cancelled ? null : String(error));
    throw error;
  } finally {
    await corpus.close();
  }
}

/**
 * The trainers report a mean loss over whatever pairs passed since their previous report (every
 * 100 ms, or every batch); the curve pools those reports, weighted by their pairs, into points a
 * share of the run apart. The last report always closes a point, so a run's curve ends at its end.
 */
class LossCurve {
  private loss = 0;
  private pairs = 0;
  private lastDone = 0;

  constructor(private readonly totalPairs: number) {}

  /** Adds a report; returns the point it closes (step: pairs done), if any. */
  add(done: number, loss: number | undefined): { step: number; value: number } | null {
    const pairs = done - this.lastDone;
    if (loss === undefined || pairs <= 0) return null;
    this.lastDone = done;
    this.loss += loss * pairs;
    this.pairs += pairs;
    if (this.pairs < this.totalPairs * LOSS_POINT_SHARE && done < this.totalPairs) return null;
    const point = { step: done, value: this.loss / this.pairs };
    this.loss = 0;
    this.pairs = 0;
    return point;
  }
}
