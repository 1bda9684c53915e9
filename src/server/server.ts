// Serve mode: the renderer over HTTP and the API over a WebSocket at /api, on 127.0.0.1 only.
// Every request and the socket upgrade carry the token printed with the URL; the socket must come
// from a page of this server. Each socket is one ApiConnection over the one dispatcher.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { ApiConnection } from '../api/api-connection.ts';
import { ApiError } from '../api/schema/errors.ts';
import { errorFrame, maxMessageBytes } from '../api/wire.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { loopbackHost, newToken, presentedToken, sameOrigin, tokenCookie } from './access.ts';
import { setSecurityHeaders } from './security-headers.ts';
import { defaultRendererDir, sendRendererFile, sendText } from './static-files.ts';

export interface ServeOptions {
  /** the workspace file; created (empty) when it does not exist */
  workspace: string;
  /** 0 picks a free port */
  port?: number;
  /** the renderer build to serve (default renderer/dist) */
  rendererDir?: string;
  /** default: 24 random bytes */
  token?: string;
}

export interface RunningServer {
  /** http://127.0.0.1:PORT/?token=... : what the user opens */
  url: string;
  port: number;
  token: string;
  /**
   * Stops serving. With `pause`, running commands are asked to checkpoint and pause (training
   * marks its run paused) instead of being cancelled; resolves once every command has stopped.
   */
  close(options?: { pause?: boolean }): Promise<void>;
}

export const host = '127.0.0.1';
/** Messages over the API limit are answered with an error frame; only this far beyond it does ws drop the socket. */
const hardMessageLimit = 16 * maxMessageBytes;

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  // Creates and migrates the workspace now, so the first command does not race to do it.
  openWorkspace(options.workspace).close();
  const token = options.token ?? newToken();
  const rendererDir = options.rendererDir ?? defaultRendererDir;
  const connections = new Set<ApiConnection>();
  const sockets = new Set<WebSocket>();
  let port = 0;

  const http = createServer((request, response) => {
    handleHttp(request, response);
  });
  const api = new WebSocketServer({ noServer: true, maxPayload: hardMessageLimit });

  function handleHttp(request: IncomingMessage, response: ServerResponse) {
    const requestHost = loopbackHost(request);
    if (!requestHost) {
      sendText(response, 403, 'text/plain; charset=utf-8', 'serve mode answers only on 127.0.0.1\n');
      return;
    }
    setSecurityHeaders(response, requestHost);
    const source = presentedToken(request, token, port);
    if (!source) {
      sendText(
        response,
        401,
        'text/plain; charset=utf-8',
        'missing or wrong token: open the address `constellation serve` printed (it ends in ?token=...)\n',
      );
      return;
    }
    if (source === 'query') {
      // Lets the page's own later requests (scripts, styles, the socket) in without the query.
      response.setHeader('Set-Cookie', `${tokenCookie(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      sendText(response, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n');
      return;
    }
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname === '/api') {
      sendText(response, 426, 'text/plain; charset=utf-8', 'the API speaks WebSocket here\n');
      return;
    }
    sendRendererFile(rendererDir, pathname, response);
  }

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, reason: string) => {
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
      );
    };
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname !== '/api') return refuse(404, 'Not Found');
    if (!loopbackHost(request)) return refuse(403, 'Forbidden');
    if (!presentedToken(request, token, port)) return refuse(401, 'Unauthorized');
    if (!sameOrigin(request)) return refuse(403, 'Forbidden');
    api.handleUpgrade(request, socket, head, (ws) => serveApi(ws));
  });

  function serveApi(ws: WebSocket) {
    sockets.add(ws);
    const connection = new ApiConnection({
      workspace: () => options.workspace,
      send: (frame) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
      },
    });
    connections.add(connection);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.send(
          JSON.stringify(
            errorFrame(
              null,
              new ApiError({ code: 'invalid-input', message: 'the API takes JSON text messages' }),
            ),
          ),
        );
        return;
      }
      connection.receiveText(data.toString());
    });
    ws.on('close', () => {
      sockets.delete(ws);
      // A closed socket cancels its commands (an import rolls back); pause() may already be waiting on them.
      void connection.close().finally(() => connections.delete(connection));
    });
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}/?token=${token}`,
    port,
    token,
    async close({ pause = false } = {}) {
      http.close();
      const all = [...connections];
      await Promise.all(all.map((c) => (pause ? c.pause() : c.close())));
      for (const ws of sockets) ws.close(1001, 'Constellation is shutting down');
      api.close();
      http.closeAllConnections();
    },
  };
}
