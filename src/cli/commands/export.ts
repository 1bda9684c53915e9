import { type Command, Option } from 'commander';
import { type CommonFlags, commonOptions, withCommonOptions } from '../common-options.ts';
import { count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';

interface ExportFlags extends CommonFlags {
  format: string;
  out: string;
}

/** `constellation export <what>`: a run's embeddings or a dataset's network, in formats other tools read. */
export function registerExport(program: Command): void {
  const exporting = program.command('export').description('write embeddings or networks in standard formats');

  withCommonOptions(
    exporting
      .command('embeddings')
      .description(
        "write a run's embeddings: TensorBoard projector TSV (vectors + metadata), NPY (+ metadata TSV) or Parquet",
      )
      .argument('<run>', 'the run id')
      .addOption(
        new Option('--format <format>', 'the file format')
          .choices(['tsv', 'npy', 'parquet'])
          .makeOptionMandatory(),
      )
      .requiredOption('--out <file>', 'the vectors file; the metadata goes beside it'),
  ).action(async (run: string, flags: ExportFlags) => {
    await runCommand(
      'export.embeddings',
      // The API's schema names the field when the run is not a whole number.
      { run: Number(run), format: flags.format as 'tsv' | 'npy' | 'parquet', out: flags.out },
      commonOptions(flags),
      {
        text: (r) =>
          `wrote ${count(r.rows)} embeddings of run ${r.run} (dim ${r.dim}) in ${seconds(r.seconds)}:\n${r.files.map((f) => `  ${f}`).join('\n')}`,
      },
    );
  });

  withCommonOptions(
    exporting
      .command('network')
      .description("write a dataset's entities and typed relations as GEXF (Gephi)")
      .argument('<dataset>', 'the dataset name')
      .addOption(new Option('--format <format>', 'the file format').choices(['gexf']).default('gexf'))
      .requiredOption('--out <file>', 'the file to write'),
  ).action(async (dataset: string, flags: ExportFlags) => {
    await runCommand(
      'export.network',
      { dataset, format: flags.format as 'gexf', out: flags.out },
      commonOptions(flags),
      {
        text: (r) =>
          `wrote ${r.dataset} as ${r.format}: ${count(r.nodes)} nodes, ${count(r.edges)} edges in ${seconds(r.seconds)}\n  ${r.files.join('\n  ')}`,
      },
    );
  });
}
