import type { Command } from 'commander';
import {
  type CommonFlags,
  commonOptions,
  optionalNumber,
  setting,
  withCommonOptions,
} from '../common-options.ts';
import { count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';

/** --abbrev V=conf, repeatable. */
export function abbreviation(pair: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = pair.indexOf('=');
  if (at <= 0) throw new Error(`--abbrev expects LETTER=type, got "${pair}"`);
  return { ...previous, [pair.slice(0, at)]: pair.slice(at + 1) };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export interface WalkFlags extends CommonFlags {
  dataset: string;
  metapath: string[];
  abbrev?: Record<string, string>;
  preset?: 'paper' | 'quick';
  set?: Record<string, unknown>;
  threads?: string;
}

/** The options shared by `train metapath2vec` and `walks`. */
export function withWalkOptions(command: Command): Command {
  return withCommonOptions(
    command
      .requiredOption('--dataset <name>', 'the network dataset')
      .requiredOption(
        '--metapath <scheme>',
        'a meta-path scheme such as author-paper-conf-paper-author or A-P-C-P-A (repeatable)',
        collect,
      )
      .option(
        '--abbrev <LETTER=type>',
        'declare an abbreviation used in the schemes, e.g. V=conf (repeatable)',
        abbreviation,
      )
      .option('--preset <name>', 'paper (r=1000, l=100, k=7, d=128, 5 negatives) or quick', 'quick')
      .option(
        '--set <key=value>',
        'override a setting: walks_per_node, walk_length, window, dim, negatives, epochs, lr, min_count, seed, variant (repeatable)',
        setting,
      )
      .option('--threads <n>', 'threads for walks and training (default: all cores)'),
  );
}

export function walkInput(flags: WalkFlags) {
  return {
    dataset: flags.dataset,
    metapaths: flags.metapath,
    abbreviations: flags.abbrev ?? {},
    preset: flags.preset,
    settings: flags.set ?? {},
    threads: optionalNumber(flags.threads),
  };
}

interface TrainFlags extends WalkFlags {
  variant?: 'plain' | 'plusplus';
  device: string;
}

/** `constellation train <model>`: one subcommand per model. */
export function registerTrain(program: Command): void {
  const train = program
    .command('train')
    .description('train a model on a dataset; the run is stored in the workspace');
  withWalkOptions(
    train
      .command('metapath2vec')
      .description('metapath2vec / metapath2vec++ node embeddings from meta-path-guided random walks')
      .option(
        '--variant <variant>',
        'plain (metapath2vec) or plusplus (metapath2vec++: negatives of the context type)',
      )
      .option(
        '--device <device>',
        'auto (a hardware GPU provider when one works, else cpu), cpu (WebAssembly kernel), cpu-reference (TypeScript reference), or a GPU provider: webgpu, cuda, dml, coreml (ONNX graph)',
        'auto',
      ),
  ).action(async (flags: TrainFlags) => {
    await runCommand(
      'train.metapath2vec',
      { ...walkInput(flags), variant: flags.variant, device: flags.device },
      commonOptions(flags),
      {
        progress: (p) =>
          p.phase === 'training'
            ? `training: ${((100 * p.done) / Math.max(1, p.total)).toFixed(1)}% of ${count(p.total)} pairs`
            : `${p.phase}: ${count(p.done)} / ${count(p.total)}`,
        text: (r) =>
          [
            `run ${r.run}: ${count(r.embedded_nodes)} nodes embedded in ${seconds(r.seconds)}`,
            `  walks     ${count(r.walks)} (${count(r.walk_tokens)} tokens, ${count(Math.round(r.walk_tokens_per_s))} tokens/s); ${count(r.skipped_walks)} skipped (length 1), ${count(r.shortened_walks)} ended early`,
            `  training  ${count(r.pairs)} pairs, ${count(Math.round(r.pairs_per_s))} pairs/s`,
            `  no embedding: ${count(r.nodes_without_embedding)} nodes (${count(r.isolated_nodes)} isolated)`,
          ].join('\n'),
      },
    );
  });
}
