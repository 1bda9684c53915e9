// The serve-mode transport: the browser's WebSocket to `constellation serve`. Reconnects with
// backoff when the connection drops (commands in flight are reported lost; the server cancels them
// when their socket closes). Browser-safe: no Node imports.
import type { Transport, TransportListener } from './client.ts';
import { type ClientFrame, ServerFrame } from './wire.ts';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** The subset of the WebSocket API this transport uses (the browser's, or `ws` in Node tests). */
interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface WebSocketTransportOptions {
  /** ws://127.0.0.1:PORT/api?token=...; see serveModeSocketUrl */
  url: string;
  /** defaults to the global WebSocket */
  WebSocket?: new (
    url: string,
  ) => SocketLike;
  /** called on every change, for a "reconnecting..." banner */
  onStatus?: (status: ConnectionStatus) => void;
  /** first and longest wait between reconnection attempts */
  retryMs?: { first: number; max: number };
}

const OPEN = 1;

/**
 * The API socket of the page's own server. The token the page was opened with (`?token=` in its
 * address) is passed on; without one the server relies on the cookie it set on the page load.
 */
export function serveModeSocketUrl(location: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

export function webSocketTransport(options: WebSocketTransportOptions): Transport {
  const Socket = options.WebSocket ?? (globalThis.WebSocket as unknown as new (url: string) => SocketLike);
  const retry = options.retryMs ?? { first: 250, max: 5000 };
  let listener: TransportListener | undefined;
  let socket: SocketLike | undefined;
  let queue: string[] = [];
  let closed = false;
  let wait = retry.first;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const status = (s: ConnectionStatus) => options.onStatus?.(s);

  function connect() {
    status('connecting');
    const current = new Socket(options.url);
    socket = current;
    current.addEventListener('open', () => {
      wait = retry.first;
      status('open');
      for (const text of queue) current.send(text);
      queue = [];
    });
    current.addEventListener('message', (event) => {
      let json: unknown;
      try {
        json = JSON.parse(String(event.data));
      } catch {
        console.error('constellation API: the server sent a message that is not JSON');
        return;
      }
      const frame = ServerFrame.safeParse(json);
      if (frame.success) listener?.frame(frame.data);
      else console.error(`constellation API: unexpected frame from the server: ${frame.error.message}`);
    });
    current.addEventListener('close', () => {
      if (socket !== current) return;
      socket = undefined;
      // Requests that never left are as lost as those in flight; the client rejects them all.
      queue = [];
      listener?.disconnected('the server closed the connection or could not be reached');
      if (closed) {
        status('closed');
        return;
      }
      status('connecting');
      timer = setTimeout(connect, wait);
      wait = Math.min(wait * 2, retry.max);
    });
    // 'error' is always followed by 'close', which does the bookkeeping.
    current.addEventListener('error', () => {});
  }

  connect();

  return {
    send(frame: ClientFrame) {
      const text = JSON.stringify(frame);
      if (socket?.readyState === OPEN) socket.send(text);
      else queue.push(text);
    },
    listen(next) {
      listener = next;
      return () => {
        if (listener === next) listener = undefined;
      };
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close(1000, 'client closed');
      if (!socket) status('closed');
    },
  };
}
