// The one dispatcher behind every transport: validate input, run the handler, validate output.
import {
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type CommandProgress,
  commands,
  isCommandName,
} from './commands.ts';
import { handlers } from './handlers/index.ts';
import { ApiError } from './schema/errors.ts';
import { toApiError } from './to-api-error.ts';

export interface DispatchOptions<P> {
  /** the workspace file the command acts on; chosen by the transport, never by the input */
  workspace: string;
  onProgress?: (event: P) => void;
  signal?: AbortSignal;
}

/**
 * Runs a command. Rejects only with ApiError: invalid input names the field path, bad data names
 * file/line/field, a cancelled command says so, anything else is `internal` with its stack.
 */
export async function dispatch<N extends CommandName>(
  name: N,
  input: CommandInput<N>,
  options: DispatchOptions<CommandProgress<N>>,
): Promise<CommandOutput<N>>;
export async function dispatch(
  name: string,
  input: unknown,
  options: DispatchOptions<unknown>,
): Promise<unknown>;
export async function dispatch(
  name: string,
  input: unknown,
  options: DispatchOptions<unknown>,
): Promise<unknown> {
  if (!isCommandName(name)) {
    throw new ApiError({
      code: 'unknown-command',
      message: `there is no command named ${name}`,
      command: name,
    });
  }
  const spec = commands[name];
  const parsed = spec.input.safeParse(input ?? {});
  if (!parsed.success) throw toApiError(parsed.error, name);
  const signal = options.signal ?? new AbortController().signal;
  const progress = (event: unknown) => options.onProgress?.(event);
  let output: unknown;
  try {
    // The mapped Handlers type guarantees handlers[name] matches spec; TS cannot correlate the two here.
    const handler = (await handlers[name]()) as (input: unknown, context: unknown) => Promise<unknown>;
    output = await handler(parsed.data, { workspace: options.workspace, progress, signal });
  } catch (error) {
    throw toApiError(error, name);
  }
  const checked = spec.output.safeParse(output);
  if (!checked.success) {
    throw new ApiError({
      code: 'internal',
      command: name,
      message: `${name} produced output that breaks its schema: ${checked.error.message}`,
    });
  }
  return checked.data;
}
