import { Argument, type Command } from 'commander';
import type { ImportProgress } from '../../api/schema/import.ts';
import { type CommonFlags, commonOptions, keyValueOption, withCommonOptions } from '../common-options.ts';
import { bytes, count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';

/** "3" names the third column; anything else is a header name. */
const column = (value: string): string | number => (/^[1-9]\d*$/.test(value) ? Number(value) : value);

export function describeImportProgress(p: ImportProgress): string {
  const done = p.totalBytes > 0 ? ` (${Math.floor((100 * p.bytes) / p.totalBytes)}%)` : '';
  const eta = p.etaSeconds != null ? `, ${Math.ceil(p.etaSeconds)} s left` : '';
  return `importing${p.file ? ` ${p.file}` : ''}: ${count(p.rows)} rows, ${bytes(p.bytes)} of ${bytes(p.totalBytes)}${done}${eta}`;
}

interface ImportFlags extends CommonFlags {
  name: string;
  format?: string;
  delimiter?: string;
  userColumn?: string;
  itemColumn?: string;
  timeColumn?: string;
  ratingColumn?: string;
  skipCorrupt?: boolean;
  option?: Record<string, unknown>;
}

export function registerImport(program: Command): void {
  withCommonOptions(
    program
      .command('import')
      .description('import files or folders as a new dataset (all or nothing)')
      .addArgument(
        new Argument('<kind>', 'what the files hold').choices([
          'network',
          'interactions',
          'images',
          'videos',
        ]),
      )
      .argument('<path...>', 'files or folders')
      .requiredOption('--name <name>', 'name of the new dataset')
      .option('--format <format>', 'the input format (see `constellation formats`); detected when omitted')
      .option('--delimiter <d>', 'field delimiter of CSV/TSV files ("\\t" for tab)')
      .option('--user-column <c>', 'interaction logs: the user column (header name or 1-based number)')
      .option('--item-column <c>', 'interaction logs: the item column')
      .option('--time-column <c>', 'interaction logs: the timestamp column')
      .option('--rating-column <c>', 'interaction logs: the rating or weight column')
      .option(
        '--skip-corrupt',
        'images/videos: skip unreadable files (listed on the dataset) instead of failing',
      )
      .option(
        '--option <key=value>',
        "any other option of the format's importer (repeatable)",
        keyValueOption('--option'),
      ),
  ).action(
    async (kind: 'network' | 'interactions' | 'images' | 'videos', paths: string[], flags: ImportFlags) => {
      const options: Record<string, unknown> = { ...flags.option };
      if (flags.delimiter !== undefined)
        options.delimiter = flags.delimiter === '\\t' ? '\t' : flags.delimiter;
      if (flags.userColumn !== undefined) options.user = column(flags.userColumn);
      if (flags.itemColumn !== undefined) options.item = column(flags.itemColumn);
      if (flags.timeColumn !== undefined) options.time = column(flags.timeColumn);
      if (flags.ratingColumn !== undefined) options.rating = column(flags.ratingColumn);
      if (flags.skipCorrupt) options.onCorrupt = 'skip';
      await runCommand(
        'import.run',
        { kind, paths, name: flags.name, format: flags.format, options },
        commonOptions(flags),
        {
          progress: describeImportProgress,
          text: (r) =>
            `imported ${r.dataset} (${r.kind}): ${count(r.entities)} entities, ${count(r.relations)} relations, ${count(r.media)} media in ${seconds(r.seconds)}`,
        },
      );
    },
  );

  withCommonOptions(
    program
      .command('formats')
      .description('list the import formats')
      .addArgument(new Argument('[kind]').choices(['network', 'interactions', 'images', 'videos'])),
  ).action(async (kind: 'network' | 'interactions' | 'images' | 'videos' | undefined, flags) => {
    await runCommand('import.formats', { kind }, commonOptions(flags), {
      text: ({ importers }) =>
        importers.map((i) => `${i.format.padEnd(16)} ${i.kind.padEnd(13)} ${i.description}`).join('\n'),
    });
  });
}
