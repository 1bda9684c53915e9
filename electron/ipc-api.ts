// The API over Electron IPC: the renderer's frames arrive through the preload, are checked with
// the wire schemas (the renderer is untrusted, like any web page), and run through one
// ApiConnection on the one dispatcher. Progress goes back as events, the outcome as the invoke's
// answer. Written against a minimal IpcMain shape so ipc-api.test.ts runs it without Electron.
import { ApiConnection } from '../src/api/api-connection.ts';
import { ipcChannels } from '../src/api/bridge.ts';
import { ApiError } from '../src/api/schema/errors.ts';
import { CancelFrame, checkClientFrame, errorFrame, RequestId, type ServerFrame } from '../src/api/wire.ts';

export interface IpcSender {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface IpcEvent {
  sender: IpcSender;
  /** the frame that sent it; null when it navigated away or was destroyed meanwhile */
  senderFrame: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEvent, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: IpcEvent, ...args: unknown[]) => void): void;
}

export interface IpcApi {
  /** application closing: every command is asked to checkpoint and pause; resolves once all stopped */
  pause(): Promise<void>;
  readonly inFlight: number;
}

export function serveApiOverIpc(
  ipc: IpcMainLike,
  options: { workspace: () => string; trusted: (senderUrl: string) => boolean },
): IpcApi {
  const senders = new Map<string, IpcSender>();
  const answers = new Map<string, (frame: ServerFrame) => void>();
  const connection = new ApiConnection({
    workspace: options.workspace,
    send(frame) {
      if (frame.id === null) return;
      if (frame.type === 'progress') {
        const sender = senders.get(frame.id);
        if (sender && !sender.isDestroyed()) sender.send(ipcChannels.progress, frame);
        return;
      }
      senders.delete(frame.id);
      answers.get(frame.id)?.(frame);
      answers.delete(frame.id);
    },
  });

  const refuse = (id: string | null, message: string) =>
    errorFrame(id, new ApiError({ code: 'invalid-input', message }));

  ipc.handle(ipcChannels.invoke, (event, message) => {
    if (!event.senderFrame || !options.trusted(event.senderFrame.url)) {
      const id = RequestId.safeParse((message as { id?: unknown } | null)?.id);
      return refuse(id.success ? id.data : null, 'the API answers only pages of the app itself');
    }
    const read = checkClientFrame(message);
    if (read.error) return read.error;
    const frame = read.frame;
    if (frame.type !== 'request') return refuse(frame.id, 'cancel frames go through cancel(), not invoke()');
    if (answers.has(frame.id)) return refuse(frame.id, `request id ${frame.id} is already in flight`);
    return new Promise<ServerFrame>((resolve) => {
      answers.set(frame.id, resolve);
      senders.set(frame.id, event.sender);
      connection.receive(frame);
    });
  });

  ipc.on(ipcChannels.cancel, (event, message) => {
    if (!event.senderFrame || !options.trusted(event.senderFrame.url)) return;
    const cancel = CancelFrame.safeParse(message);
    if (cancel.success) connection.receive(cancel.data);
  });

  return {
    pause: () => connection.pause(),
    get inFlight() {
      return connection.inFlight;
    },
  };
}
