// The API as the renderer calls it: typed promises over any Transport (the serve-mode WebSocket,
// Electron's preload bridge, or an in-process one in tests). Browser-safe: no Node imports.
import type { CommandInput, CommandName, CommandOutput, CommandProgress } from './commands.ts';
import { ApiError } from './schema/errors.ts';
import {
  type ClientFrame,
  type ErrorFrame,
  maxMessageBytes,
  messageBytes,
  type ServerFrame,
  tooLarge,
} from './wire.ts';

export interface TransportListener {
  /** a frame from the API side (already checked against ServerFrame) */
  frame(frame: ServerFrame): void;
  /** the connection was lost; every command in flight on it is over (the API side cancels them) */
  disconnected(reason: string): void;
}

/** Moves frames between the client and the dispatcher. Implementations: ws-transport.ts, preload-transport.ts. */
export interface Transport {
  /** Sends one frame. Throws only on a bug; a lost connection is reported through `disconnected`. */
  send(frame: ClientFrame): void;
  /** Registers the (single) listener; returns a function that removes it. */
  listen(listener: TransportListener): () => void;
  /** Closes the connection for good. */
  close(): void;
}

export interface CallOptions<P> {
  /** each progress event of a long command (import, training...), as its schema types it */
  onProgress?: (progress: P) => void;
  /** aborting sends a cancel frame; the promise then rejects with ApiError code `cancelled` */
  signal?: AbortSignal;
}

export interface ApiClient {
  /** Runs a command; rejects only with ApiError. */
  call<N extends CommandName>(
    command: N,
    input: CommandInput<N>,
    options?: CallOptions<CommandProgress<N>>,
  ): Promise<CommandOutput<N>>;
  /** Closes the transport; commands in flight reject with `cancelled`. */
  close(): void;
}

export interface ClientOptions {
  /** errors the API side could not attribute to a command (a frame it could not read); logged when absent */
  onUnattributedError?: (error: ApiError) => void;
}

interface Pending {
  command: string;
  resolve(result: unknown): void;
  reject(error: ApiError): void;
  onProgress?: (progress: unknown) => void;
  cleanup(): void;
}

export function createClient(transport: Transport, options: ClientOptions = {}): ApiClient {
  const pending = new Map<string, Pending>();
  let nextId = 1;
  let closed = false;

  const settle = (id: string, outcome: (p: Pending) => void) => {
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    call.cleanup();
    outcome(call);
  };

  const unattributed = (frame: ErrorFrame) => {
    const error = new ApiError(frame.error);
    if (options.onUnattributedError) options.onUnattributedError(error);
    else console.error(`constellation API: ${error.message}`);
  };

  const stopListening = transport.listen({
    frame(frame) {
      if (frame.type === 'progress') pending.get(frame.id)?.onProgress?.(frame.progress);
      else if (frame.type === 'result') settle(frame.id, (call) => call.resolve(frame.result));
      else if (frame.id === null || !pending.has(frame.id)) unattributed(frame);
      else settle(frame.id, (call) => call.reject(new ApiError(frame.error)));
    },
    disconnected(reason) {
      for (const id of [...pending.keys()]) {
        settle(id, (call) =>
          call.reject(
            new ApiError({
              code: 'cancelled',
              command: call.command,
              message: `the connection to Constellation was lost (${reason}); ${call.command} was stopped`,
            }),
          ),
        );
      }
    },
  });

  function call(
    command: string,
    input: unknown,
    { onProgress, signal }: CallOptions<unknown> = {},
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (closed) {
        reject(new ApiError({ code: 'cancelled', command, message: 'the API client was closed' }));
        return;
      }
      if (signal?.aborted) {
        reject(new ApiError({ code: 'cancelled', command, message: `${command} was cancelled` }));
        return;
      }
      const id = String(nextId++);
      const frame: ClientFrame = { type: 'request', id, command, input: input ?? {} };
      // Checked here too, so an oversized call fails as itself rather than as an anonymous error frame.
      const bytes = messageBytes(JSON.stringify(frame));
      if (bytes > maxMessageBytes) {
        const error = tooLarge(bytes);
        reject(new ApiError({ ...error.data, command }));
        return;
      }
      const abort = () => transport.send({ type: 'cancel', id });
      signal?.addEventListener('abort', abort, { once: true });
      pending.set(id, {
        command,
        resolve,
        reject,
        onProgress,
        cleanup: () => signal?.removeEventListener('abort', abort),
      });
      transport.send(frame);
    });
  }

  return {
    call: call as ApiClient['call'],
    close() {
      if (closed) return;
      closed = true;
      stopListening();
      transport.close();
      for (const id of [...pending.keys()]) {
        settle(id, (c) =>
          c.reject(
            new ApiError({ code: 'cancelled', command: c.command, message: 'the API client was closed' }),
          ),
        );
      }
    },
  };
}
