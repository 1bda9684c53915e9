import type { Command } from 'commander';
import { type CommonFlags, commonOptions, optionalNumber, withCommonOptions } from '../common-options.ts';
import { count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';

interface DemoFlags extends CommonFlags {
  out?: string;
  seed?: string;
  force?: boolean;
}

export function registerDemo(program: Command): void {
  withCommonOptions(
    program
      .command('demo')
      .description(
        'build the embedded demo workspace: an academic network, a watch log, digit images and moving-digit clips, generated from a seed',
      )
      .option('--out <file>', 'the workspace file to build (default: --workspace)')
      .option('--seed <n>', 'another seed than resources/demo/demo.json')
      .option('--force', 'rebuild an existing demo workspace'),
  ).action(async (flags: DemoFlags) => {
    const common = commonOptions(flags);
    await runCommand(
      'demo.build',
      // The API's schema checks the seed and names the field when it is not a whole number.
      {
        out: flags.out,
        seed: optionalNumber(flags.seed),
        force: flags.force === true,
      },
      common,
      {
        progress: (p) => `demo: ${p.step} (${p.done}/${p.total})`,
        text: (r) =>
          [
            `${r.built ? 'built' : 'kept the existing'} demo workspace ${r.workspace} (seed ${r.seed}) in ${seconds(r.seconds)}`,
            ...r.datasets.map(
              (d) =>
                `  ${d.dataset.padEnd(18)} ${d.kind.padEnd(13)} ${count(d.entities)} entities, ${count(d.relations)} relations, ${count(d.media)} media`,
            ),
          ].join('\n'),
      },
    );
  });
}
