// One client's conversation with the dispatcher, whatever carries it (a WebSocket, Electron IPC):
// requests run concurrently by id, progress and the outcome go back as frames, a cancel frame or
// the connection closing aborts the command, and closing the application pauses it instead.
import { dispatch } from './dispatcher.ts';
import { PauseRequested } from './pause.ts';
import { ApiError } from './schema/errors.ts';
import { toApiError } from './to-api-error.ts';
import { type ClientFrame, errorFrame, readClientFrame, type ServerFrame } from './wire.ts';

export interface ApiConnectionOptions {
  /** the workspace file commands act on now (the app can switch workspaces between commands) */
  workspace: () => string;
  send: (frame: ServerFrame) => void;
}

export class ApiConnection {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(private readonly options: ApiConnectionOptions) {}

  /** Commands in flight. */
  get inFlight(): number {
    return this.running.size;
  }

  /** A text message as a socket delivers it; anything unreadable is answered with an error frame. */
  receiveText(text: string): void {
    const read = readClientFrame(text);
    if (read.error) this.options.send(read.error);
    else this.receive(read.frame);
  }

  receive(frame: ClientFrame): void {
    if (frame.type === 'cancel') {
      this.running.get(frame.id)?.controller.abort();
      return;
    }
    if (this.running.has(frame.id)) {
      this.options.send(
        errorFrame(
          null,
          new ApiError({
            code: 'invalid-input',
            command: frame.command,
            message: `request id ${frame.id} is already in flight; each request needs its own id`,
          }),
        ),
      );
      return;
    }
    const controller = new AbortController();
    const done = this.run(frame.id, frame.command, frame.input, controller.signal).finally(() =>
      this.running.delete(frame.id),
    );
    this.running.set(frame.id, { controller, done });
  }

  /** The connection is gone: cancels every command and resolves once they have all stopped. */
  close(): Promise<void> {
    return this.stopAll(undefined);
  }

  /** The application is closing: asks every command to checkpoint and pause, and waits for them. */
  pause(): Promise<void> {
    return this.stopAll(new PauseRequested());
  }

  private async stopAll(reason: Error | undefined): Promise<void> {
    const all = [...this.running.values()];
    for (const { controller } of all) controller.abort(reason);
    await Promise.all(all.map(({ done }) => done));
  }

  private async run(id: string, command: string, input: unknown, signal: AbortSignal): Promise<void> {
    const { send } = this.options;
    try {
      const result = await dispatch(command, input, {
        workspace: this.options.workspace(),
        signal,
        onProgress: (progress) => {
          if (!signal.aborted) send({ type: 'progress', id, progress });
        },
      });
      send({ type: 'result', id, result });
    } catch (error) {
      send(errorFrame(id, toApiError(error, command)));
    }
  }
}
