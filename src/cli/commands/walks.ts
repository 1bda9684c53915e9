import type { Command } from 'commander';
import { commonOptions } from '../common-options.ts';
import { count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';
import { type WalkFlags, walkInput, withWalkOptions } from './train.ts';

interface WalksFlags extends WalkFlags {
  out: string;
}

/** `constellation walks`: the corpus a metapath2vec run would train on, as text for other word2vec tools. */
export function registerWalks(program: Command): void {
  withWalkOptions(
    program
      .command('walks')
      .description('write the meta-path walk corpus: one walk per line, tokens type:key')
      .requiredOption('--out <file>', 'the text file to write'),
  ).action(async (flags: WalksFlags) => {
    await runCommand('walks.export', { ...walkInput(flags), out: flags.out }, commonOptions(flags), {
      progress: (p) => `walks: ${count(p.walks)} / ${count(p.total)}`,
      text: (r) =>
        `wrote ${count(r.walks)} walks (${count(r.tokens)} tokens) to ${r.out} in ${seconds(r.seconds)}; ${count(r.skipped_walks)} skipped (length 1)`,
    });
  });
}
