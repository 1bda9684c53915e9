import type { Command } from 'commander';
import { ApiError } from '../../api/schema/errors.ts';
import { benchMetapath2vec } from '../../models/metapath2vec/bench.ts';
import { count } from '../format.ts';

interface BenchMetapath2vecFlags {
  relations: string;
  threads: string;
  gensim: boolean;
  json?: boolean;
}

/** A positive whole number from a flag, or a usage error naming the flag. */
function positiveInteger(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ApiError({
      code: 'invalid-input',
      message: `--${flag} expects a positive whole number, got "${raw}"`,
    });
  }
  return value;
}

/**
 * `constellation bench metapath2vec`: walk and skip-gram throughput on a generated network. Like
 * `bench engine` it runs in this process, not through the API dispatcher: it opens no workspace,
 * and a worker hop would only add noise to the figures.
 */
export function registerBenchMetapath2vec(bench: Command): void {
  bench
    .command('metapath2vec')
    .description(
      'walks and skip-gram pairs/s on a generated author-paper-venue network (dim 128, window 5, 5 negatives), next to gensim Word2Vec on the identical corpus',
    )
    .option('--relations <n>', 'relations of the generated network, approximately', '1000000')
    .option('--threads <n>', 'walk and training threads (gensim gets as many workers)', '2')
    .option('--no-gensim', 'skip the gensim comparison')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (flags: BenchMetapath2vecFlags) => {
      const result = await benchMetapath2vec({
        relations: positiveInteger('relations', flags.relations),
        threads: positiveInteger('threads', flags.threads),
        gensim: flags.gensim,
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const lines = [
        `network: ${count(result.relations)} relations, ${count(result.nodes)} nodes; corpus ${count(result.corpus_tokens)} tokens, ${count(result.pairs)} pairs`,
        `walks:     ${count(Math.round(result.walk_tokens_per_s))} tokens/s`,
        `skip-gram: ${count(Math.round(result.pairs_per_s))} pairs/s (${count(Math.round(result.pairs_per_cpu_s))} per CPU second) with ${result.threads} threads`,
      ];
      if (result.gensim_pairs_per_s !== undefined) {
        lines.push(
          `gensim:    ${count(Math.round(result.gensim_pairs_per_s))} pairs/s (${count(Math.round(result.gensim_pairs_per_cpu_s ?? 0))} per CPU second), version ${result.gensim?.version}`,
        );
      }
      if (result.gensim_note) lines.push(result.gensim_note);
      lines.push(`load average: ${result.load_average.map((l) => l.toFixed(2)).join(' -> ')}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
