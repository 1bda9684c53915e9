import type { CommandInput, CommandName, CommandOutput, CommandProgress } from '../api/commands.ts';
import { dispatch } from '../api/dispatcher.ts';
import type { CommonOptions } from './common-options.ts';
import { ProgressLine } from './progress-line.ts';

export interface CommandView<N extends CommandName> {
  /** the result for a person reading a terminal */
  text(output: CommandOutput<N>): string;
  /** one line of progress for a person */
  progress?(event: CommandProgress<N>): string;
}

/**
 * Runs one API command for the command line: progress to stderr, the result to stdout (one JSON
 * object with --json), Ctrl-C or SIGTERM cancels it cleanly (a second one kills the process).
 * Failures propagate as ApiError for main() to report.
 */
export async function runCommand<N extends CommandName>(
  name: N,
  input: CommandInput<N>,
  common: CommonOptions,
  view: CommandView<N>,
): Promise<void> {
  const controller = new AbortController();
  const progress = new ProgressLine(common.progress);
  // SIGTERM (kill, timeout, a shutting-down session) cancels like Ctrl-C: a training run keeps its
  // checkpoint and is marked cancelled, so it can be resumed, instead of dying with its run still
  // marked running. GNU timeout sends its signal twice at once (to the command, then to its process
  // group), so a repeat within a second is the same request; a later one kills.
  let cancelledAt = 0;
  const cancel = (signal: NodeJS.Signals) => {
    if (cancelledAt > 0) {
      if (Date.now() - cancelledAt < 1000) return;
      process.off('SIGINT', cancel);
      process.off('SIGTERM', cancel);
      process.kill(process.pid, signal);
      return;
    }
    cancelledAt = Date.now();
    progress.finish();
    process.stderr.write(
      signal === 'SIGINT'
        ? 'cancelling (Ctrl-C again to kill)...\n'
        : `${signal}: cancelling (send it again to kill)...\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);
  try {
    const output = await dispatch(name, input, {
      workspace: common.workspace,
      signal: controller.signal,
      onProgress: (event) =>
        progress.update(event, (e) => view.progress?.(e as CommandProgress<N>) ?? JSON.stringify(e)),
    });
    progress.finish();
    process.stdout.write(common.json ? `${JSON.stringify(output)}\n` : `${view.text(output)}\n`);
  } finally {
    progress.finish();
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}
