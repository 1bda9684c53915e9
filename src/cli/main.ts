import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ApiError } from '../api/schema/errors.ts';
import { toApiError } from '../api/to-api-error.ts';
import { registerAnalysis } from './commands/analysis.ts';
import { registerBench } from './commands/bench.ts';
import { registerBert4Rec } from './commands/bert4rec.ts';
import { registerContrastive } from './commands/contrastive.ts';
import { registerDatasets } from './commands/datasets.ts';
import { registerDemo } from './commands/demo.ts';
import { registerEval } from './commands/eval.ts';
import { registerExport } from './commands/export.ts';
import { registerImport } from './commands/import.ts';
import { registerServe } from './commands/serve.ts';
import { registerSimclr } from './commands/simclr.ts';
import { registerTrain } from './commands/train.ts';
import { registerVideo } from './commands/video.ts';
import { registerVit } from './commands/vit.ts';
import { registerWalks } from './commands/walks.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** One module per command family; later ones (train, eval, walks, recommend, serve...) add a line here. */
const commandFamilies = [
  registerImport,
  registerDatasets,
  registerDemo,
  registerExport,
  registerBench,
  registerServe,
  registerTrain,
  registerWalks,
  registerEval,
  registerBert4Rec,
  registerVit,
  registerVideo,
  registerContrastive,
  registerSimclr,
  registerAnalysis,
];

export function buildProgram(): Command {
  const program = new Command('constellation')
    .description('Representation learning on your own networks, interaction logs, images and videos.')
    .version(version)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const register of commandFamilies) register(program);
  // Subcommands inherit exitOverride only if set before they are created; set it on all of them.
  const override = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  return program;
}

const exitCodes: Partial<Record<ApiError['code'], number>> = { 'invalid-input': 2, cancelled: 130 };

/** Runs the command line; resolves with the process exit code instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too; commander already printed what it had to say.
      if (error.exitCode === 0) return 0;
      if (json) {
        const usage = new ApiError({ code: 'invalid-input', message: error.message.replace(/^error: /, '') });
        process.stdout.write(`${JSON.stringify({ error: usage.toJSON() })}\n`);
      }
      return 2;
    }
    const failure = toApiError(error);
    process.stderr.write(`constellation: ${failure.message}\n`);
    if (failure.code === 'internal' && failure.stack && !json) process.stderr.write(`${failure.stack}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ error: failure.toJSON() })}\n`);
    return exitCodes[failure.code] ?? 1;
  }
}
