import type { CommandName, CommandOutput, CommandProgress, ParsedInput } from './commands.ts';

export interface HandlerContext<P> {
  /** the workspace file this transport serves (the CLI's --workspace, the app's open file) */
  workspace: string;
  progress: (event: P) => void;
  signal: AbortSignal;
}

export type Handler<N extends CommandName> = (
  input: ParsedInput<N>,
  context: HandlerContext<CommandProgress<N>>,
) => Promise<CommandOutput<N>>;

/** Each command's handler, loaded on demand. */
export type Handlers = { [N in CommandName]: () => Promise<Handler<N>> };
