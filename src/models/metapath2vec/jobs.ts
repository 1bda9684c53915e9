// metapath2vec's long work as jobs (src/jobs): training and writing the walk corpus each run in
// a worker thread with their own workspace connection, so the caller's thread stays free.
import { writeFileAtomic } from '../../ingest/export/atomic-file.ts';
import { defineJob } from '../../jobs/job.ts';
import { loadNetwork } from '../../network/heterogeneous-network.ts';
import { parseMetaPath } from '../../network/meta-path.ts';
import { compileScheme } from '../../network/walks.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Metapath2vecConfig } from './config.ts';
import { type TrainProgress, type TrainResult, trainMetapath2vec } from './train.ts';
import { WalkCorpus } from './walk-corpus.ts';

export interface TrainJobInput {
  workspace: string;
  dataset: string;
  metapaths: string[];
  abbreviations: Record<string, string>;
  config: Metapath2vecConfig;
  device: string;
  threads?: number;
}

export const trainJob = defineJob<TrainJobInput, TrainResult, TrainProgress>(
  import.meta.url,
  'train-metapath2vec',
  async ({ workspace: path, ...request }, { progress, signal }) => {
    const workspace = openWorkspace(path);
    try {
      return await trainMetapath2vec(workspace, { ...request, onProgress: progress, signal });
    } finally {
      workspace.close();
    }
  },
);

export interface WalksJobInput {
  workspace: string;
  dataset: string;
  metapaths: string[];
  abbreviations: Record<string, string>;
  config: Metapath2vecConfig;
  threads?: number;
  out: string;
}

export interface WalksJobOutput {
  out: string;
  walks: number;
  tokens: number;
  skipped_walks: number;
  shortened_walks: number;
  seconds: number;
}

/** Writes each walk as a line of `type:key` tokens: keys alone repeat across types (DBLP's numeric ids). */
export const walksJob = defineJob<WalksJobInput, WalksJobOutput, { walks: number; total: number }>(
  import.meta.url,
  'export-walks',
  async (input, { progress, signal }) => {
    const started = performance.now();
    const workspace = openWorkspace(input.workspace, { readonly: true });
    let corpus: WalkCorpus | undefined;
    try {
      const dataset = workspace.datasets.require(input.dataset);
      const network = loadNetwork(workspace, dataset.id);
      const schemes = input.metapaths.map((text) =>
        compileScheme(network, parseMetaPath(text, network.schema, input.abbreviations)),
      );
      const tokenText: string[] = [];
      for (const type of workspace.entities.types(dataset.id)) {
        for (const key of workspace.entities.keys(type.id)) tokenText.push(`${type.name}:${key}`);
      }
      corpus = new WalkCorpus(
        network,
        {
          schemes,
          walksPerNode: input.config.walks_per_node,
          walkLength: input.config.walk_length,
          seed: input.config.seed,
        },
        { threads: input.threads ?? 1, signal, cacheTokens: 0 },
      );
      const result = {
        out: input.out,
        walks: 0,
        tokens: 0,
        skipped_walks: 0,
        shortened_walks: 0,
        seconds: 0,
      };
      const total = corpus.totalWalks;
      const walks = corpus;
      await writeFileAtomic(input.out, async (file) => {
        for await (const batch of walks.batches()) {
          const lines: string[] = [];
          for (let w = 0; w + 1 < batch.offsets.length; w++) {
            const words: string[] = [];
            for (let i = batch.offsets[w]; i < batch.offsets[w + 1]; i++)
              words.push(tokenText[batch.tokens[i]]);
            lines.push(words.join(' '));
          }
          if (lines.length > 0) await file.write(`${lines.join('\n')}\n`);
          result.walks += batch.offsets.length - 1;
          result.tokens += batch.tokens.length;
          result.skipped_walks += batch.skipped;
          result.shortened_walks += batch.shortened;
          progress({ walks: result.walks + result.skipped_walks, total });
        }
      });
      result.seconds = (performance.now() - started) / 1000;
      return result;
    } finally {
      await corpus?.close();
      workspace.close();
    }
  },
);
