import { resolve } from 'node:path';
import { type Command, Option } from 'commander';

export type ProgressMode = 'line' | 'json' | 'none';

export interface CommonOptions {
  /** absolute path of the workspace file */
  workspace: string;
  json: boolean;
  progress: ProgressMode;
}

const defaultWorkspace = () => process.env.CONSTELLATION_WORKSPACE || './workspace.constellation';

/** The options every command takes; added per command so each command's --help shows them. */
export function withCommonOptions(command: Command): Command {
  return command
    .option(
      '--workspace <file>',
      'the workspace file (default: $CONSTELLATION_WORKSPACE or ./workspace.constellation)',
    )
    .option('--json', 'print exactly one JSON object on stdout (errors too, as {"error": ...})')
    .addOption(
      new Option('--progress <mode>', 'progress on stderr: an updating line, JSON lines, or nothing').choices(
        ['line', 'json', 'none'],
      ),
    );
}

/** The common options as commander parses them. */
export interface CommonFlags {
  workspace?: string;
  json?: boolean;
  progress?: ProgressMode;
}

export function commonOptions(options: CommonFlags): CommonOptions {
  return {
    workspace: resolve(options.workspace ?? defaultWorkspace()),
    json: options.json === true,
    // An updating line only makes sense on a terminal; logs and pipes get none unless asked.
    progress: options.progress ?? (process.stderr.isTTY ? 'line' : 'none'),
  };
}
