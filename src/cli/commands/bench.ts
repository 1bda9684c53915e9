import type { Command } from 'commander';
import { type CommonFlags, commonOptions, withCommonOptions } from '../common-options.ts';
import { bytes, count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';
import { registerBenchProjection } from './analysis.ts';
import { registerBenchEngine } from './bench-engine.ts';
import { registerBenchExplorer } from './bench-explorer.ts';
import { registerBenchMetapath2vec } from './bench-metapath2vec.ts';
import { registerBenchVideo } from './bench-video.ts';

interface BenchImportFlags extends CommonFlags {
  rows?: string;
}

/** `constellation bench <what>`: machine-readable speed figures. */
export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks that print machine-readable results');
  withCommonOptions(
    bench
      .command('import')
      .description("import a generated user,item,timestamp CSV and compare with the sqlite3 shell's .import")
      .option('--rows <n>', 'rows of the generated CSV', '5000000'),
  ).action(async (flags: BenchImportFlags) => {
    await runCommand('bench.import', { rows: Number(flags.rows) }, commonOptions(flags), {
      text: (r) =>
        [
          `constellation import: ${count(r.rows)} rows (${bytes(r.file_bytes)}) in ${seconds(r.seconds)}, ${count(Math.round(r.rows_per_s))} rows/s`,
          `sqlite3 .import:      ${seconds(r.sqlite3_seconds)}, ${count(Math.round(r.sqlite3_rows_per_s))} rows/s`,
          `ratio:                ${r.ratio.toFixed(2)} (goal: at least 0.5)`,
        ].join('\n'),
    });
  });
  registerBenchEngine(bench);
  registerBenchMetapath2vec(bench);
  registerBenchProjection(bench);
  registerBenchExplorer(bench);
  registerBenchVideo(bench);
}
