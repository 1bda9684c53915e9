import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';

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

/**
 * A repeatable `FLAG key=value` option: each value is read as JSON when it parses (numbers,
 * booleans), else kept as text (variant and format names).
 */
export function keyValueOption(flag: string) {
  return (pair: string, previous: Record<string, unknown> = {}): Record<string, unknown> => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`${flag} expects key=value, got "${pair}"`);
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {}
    return { ...previous, [pair.slice(0, at)]: value };
  };
}

/** --set key=value: overrides one setting of a model's configuration. */
export const setting = keyValueOption('--set');

/** A numeric option's value (commander hands options over as strings), or undefined when not given. */
export const optionalNumber = (value: string | undefined) =>
  value === undefined ? undefined : Number(value);
