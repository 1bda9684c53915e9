import { type Command, Option } from 'commander';
import { type CommonFlags, commonOptions, setting, withCommonOptions } from '../common-options.ts';
import { count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';

interface AnalysisFlags extends CommonFlags {
  method: string;
  set?: Record<string, unknown>;
}

const stage = (p: { stage: string; done: number; total: number }) =>
  `${p.stage}: ${count(p.done)} / ${count(p.total)}`;

/** `constellation project RUN` and `constellation cluster RUN`. */
export function registerAnalysis(program: Command): void {
  withCommonOptions(
    program
      .command('project')
      .description("project a run's embeddings to 2-D and store the projection with the run")
      .argument('<run>', 'run id')
      .addOption(
        new Option('--method <method>', 'projection').choices(['pca', 'umap', 'tsne']).default('umap'),
      )
      .option(
        '--set <key=value>',
        'a parameter: UMAP neighbours, minDist, metric (cosine|euclidean), epochs, seed; t-SNE perplexity, iterations, metric, seed (repeatable)',
        setting,
      ),
  ).action(async (run: string, flags: AnalysisFlags) => {
    await runCommand(
      'projection.compute',
      { run: Number(run), method: flags.method as 'umap', params: flags.set ?? {} },
      commonOptions(flags),
      {
        progress: stage,
        text: (r) =>
          `projection ${r.projection.id} (${r.projection.method} ${JSON.stringify(r.projection.params)}) of run ${r.projection.run}: ${count(r.points)} points, ${r.cached ? 'stored earlier' : seconds(r.seconds)}`,
      },
    );
  });

  withCommonOptions(
    program
      .command('cluster')
      .description("cluster a run's embeddings and store the clusters with the run")
      .argument('<run>', 'run id')
      .addOption(
        new Option('--method <method>', 'clustering')
          .choices(['kmeans', 'louvain', 'hdbscan'])
          .default('kmeans'),
      )
      .option(
        '--set <key=value>',
        'a parameter: k-means k, seed; Louvain neighbours, resolution, seed; HDBSCAN minClusterSize, minSamples, neighbours (repeatable)',
        setting,
      ),
  ).action(async (run: string, flags: AnalysisFlags) => {
    await runCommand(
      'clustering.compute',
      { run: Number(run), method: flags.method as 'kmeans', params: flags.set ?? {} },
      commonOptions(flags),
      {
        progress: stage,
        text: (r) =>
          `clustering ${r.clustering.id} (${r.clustering.method}) of run ${r.clustering.run}: ${Object.entries(
            r.chosen,
          )
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}, ${r.cached ? 'stored earlier' : seconds(r.seconds)}`,
      },
    );
  });
}

interface BenchProjectionFlags extends CommonFlags {
  sizes: string;
  dim: string;
}

/** `constellation bench projection`. */
export function registerBenchProjection(bench: Command): void {
  withCommonOptions(
    bench
      .command('projection')
      .description('seconds for PCA and UMAP of generated clustered vectors (20 blobs, seeded)')
      .option('--sizes <n,n>', 'numbers of vectors', '10000,100000')
      .option('--dim <n>', 'dimension', '64'),
  ).action(async (flags: BenchProjectionFlags) => {
    await runCommand(
      'bench.projection',
      { sizes: flags.sizes.split(',').map(Number), dim: Number(flags.dim) },
      commonOptions(flags),
      {
        progress: stage,
        text: (r) =>
          [
            ...r.rows.map(
              (row) =>
                `${row.method.padEnd(5)} ${count(row.n)} x ${row.dim}: ${seconds(row.seconds)} (CPU ${seconds(row.cpu_seconds)}${
                  row.layout_seconds === undefined
                    ? ''
                    : `; graph ${seconds(row.graph_seconds ?? 0)}, layout ${seconds(row.layout_seconds)}`
                })`,
            ),
            `load average ${r.load_average.map((l) => l.toFixed(1)).join(' ')} on ${r.cores} cores`,
          ].join('\n'),
      },
    );
  });
}
