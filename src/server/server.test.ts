// Serve mode as a browser meets it: a real server on an ephemeral loopback port, real HTTP
// requests, and the `ws` client standing in for the page's WebSocket.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { createClient } from '../api/client.ts';
import { ApiError } from '../api/schema/errors.ts';
import { type ErrorFrame, maxMessageBytes, type ServerFrame } from '../api/wire.ts';
import { webSocketTransport } from '../api/ws-transport.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { type RunningServer, startServer } from './server.ts';

interface Context {
  after(fn: () => void | Promise<void>): void;
}

function tempDir(t: Context): string {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-serve-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function serve(t: Context, rendererDir?: string): Promise<{ server: RunningServer; dir: string }> {
  const dir = tempDir(t);
  const server = await startServer({
    workspace: join(dir, 'w.constellation'),
    rendererDir: rendererDir ?? join(dir, 'no-renderer'),
  });
  t.after(() => server.close());
  return { server, dir };
}

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const origin = (server: RunningServer) => `http://127.0.0.1:${server.port}`;

/** Opens the API socket; resolves with the socket, or rejects with the HTTP status of the refusal. */
function openSocket(
  url: string,
  options: { origin?: string; headers?: Record<string, string> } = {},
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`refused with ${res.statusCode}`), { status: res.statusCode }));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

async function apiSocket(
  t: Context,
  server: RunningServer,
): Promise<{ ws: WebSocket; next: () => Promise<ServerFrame> }> {
  const ws = await openSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, {
    origin: origin(server),
  });
  t.after(() => ws.close());
  const frames: ServerFrame[] = [];
  const waiting: ((frame: ServerFrame) => void)[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as ServerFrame;
    const waiter = waiting.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  const next = () => {
    const frame = frames.shift();
    return frame ? Promise.resolve(frame) : new Promise<ServerFrame>((resolve) => waiting.push(resolve));
  };
  return { ws, next };
}

const refusedWith = (status: number) => (error: unknown) => (error as { status?: number }).status === status;

function datasetNames(path: string): string[] {
  const workspace = openWorkspace(path, { readonly: true });
  try {
    return workspace.datasets.list().map((d) => d.name);
  } finally {
    workspace.close();
  }
}

function writeLog(file: string, rows: number): void {
  const lines = ['user,item,timestamp'];
  for (let i = 0; i < rows; i++) lines.push(`u${i % 997},i${(i * 7) % 1009},${1_600_000_000 + i}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
}

test('HTTP needs the token: none or a wrong one is 401, the URL sets a cookie that then suffices', async (t) => {
  const { server } = await serve(t);
  const base = origin(server);
  assert.equal((await get(`${base}/`)).status, 401);
  assert.equal((await get(`${base}/?token=wrong`)).status, 401);
  assert.equal((await get(`${base}/`, { Cookie: 'constellation-token-1=nope' })).status, 401);

  const first = await get(server.url);
  assert.equal(first.status, 503, 'no renderer build in this test: the how-to-build page');
  assert.match(first.body, /npm run build:renderer/);
  const cookie = first.headers['set-cookie']?.[0] ?? '';
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.equal((await get(`${base}/`, { Cookie: cookie.split(';')[0] })).status, 503);
  assert.equal((await get(`${base}/`, { Authorization: `Bearer ${server.token}` })).status, 503);

  const csp = String(first.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${server.port}`));
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-eval/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.equal(first.headers['x-content-type-options'], 'nosniff');
  assert.equal(first.headers['referrer-policy'], 'no-referrer');

  // A page that reached us under another name (DNS rebinding) is refused even with the token.
  assert.equal((await get(server.url, { Host: 'attacker.example' })).status, 403);
});

test('serves the renderer build: files inside it, index.html for app routes, nothing outside', async (t) => {
  const dir = tempDir(t);
  const rendererDir = join(dir, 'dist');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Constellation</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'not for the browser');
  const { server } = await serve(t, rendererDir);
  const auth = { Authorization: `Bearer ${server.token}` };
  const base = origin(server);
  const page = await get(server.url);
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>Constellation/);
  const script = await get(`${base}/assets/app.js`, auth);
  assert.equal(script.status, 200);
  assert.match(String(script.headers['content-type']), /^text\/javascript/);
  assert.match((await get(`${base}/runs`, auth)).body, /<title>Constellation/);
  assert.equal((await get(`${base}/assets/missing.js`, auth)).status, 404);
  assert.equal((await get(`${base}/%2e%2e/secret.txt`, auth)).status, 404);
  assert.equal((await get(`${base}/..%2fsecret.txt`, auth)).status, 404);
});

test('the API socket needs the token and the server’s own Origin', async (t) => {
  const { server } = await serve(t);
  const socketUrl = `ws://127.0.0.1:${server.port}/api`;
  await assert.rejects(openSocket(socketUrl, { origin: origin(server) }), refusedWith(401));
  await assert.rejects(openSocket(`${socketUrl}?token=wrong`, { origin: origin(server) }), refusedWith(401));
  await assert.rejects(
    openSocket(`${socketUrl}?token=${server.token}`, { origin: 'http://evil.example' }),
    refusedWith(403),
  );
  await assert.rejects(
    openSocket(`${socketUrl}?token=${server.token}`, { origin: 'http://127.0.0.1:1' }),
    refusedWith(403),
  );
  await assert.rejects(
    openSocket(`${socketUrl}?token=${server.token}`),
    refusedWith(403),
    'no Origin at all',
  );
  const ws = await openSocket(socketUrl, {
    origin: origin(server),
    headers: { Cookie: `constellation-token-${server.port}=${server.token}` },
  });
  ws.close();
});

test('bad messages each get a clear error frame and the connection keeps serving', async (t) => {
  const { server } = await serve(t);
  const { ws, next } = await apiSocket(t, server);
  const list = JSON.stringify({ type: 'request', id: 'ok', command: 'datasets.list', input: {} });
  const expectError = async (check: (frame: ErrorFrame) => void) => {
    const frame = await next();
    assert.equal(frame.type, 'error', JSON.stringify(frame));
    check(frame as ErrorFrame);
    // ...and the same socket still answers a good request.
    ws.send(list);
    assert.deepEqual(await next(), { type: 'result', id: 'ok', result: { datasets: [] } });
  };

  ws.send('{"type": "request", "id": ');
  await expectError((f) => {
    assert.equal(f.id, null);
    assert.equal(f.error.code, 'invalid-input');
    assert.match(f.error.message, /not valid JSON/);
  });

  ws.send(JSON.stringify({ type: 'request', id: 'u1', command: 'datasets.explode', input: {} }));
  await expectError((f) => {
    assert.equal(f.id, 'u1');
    assert.equal(f.error.code, 'unknown-command');
    assert.match(f.error.message, /datasets\.explode/);
  });

  ws.send(
    JSON.stringify({
      type: 'request',
      id: 'i1',
      command: 'import.run',
      input: { kind: 'graph', paths: [], name: 'x' },
    }),
  );
  await expectError((f) => {
    assert.equal(f.id, 'i1');
    assert.equal(f.error.code, 'invalid-input');
    assert.deepEqual(f.error.issues?.map((i) => i.path.join('.')).sort(), ['kind', 'paths']);
  });

  ws.send(JSON.stringify({ type: 'launch', id: 'f1' }));
  await expectError((f) => {
    assert.equal(f.id, 'f1', 'a frame of the wrong shape is still answered by its id');
    assert.match(f.error.message, /not a request or cancel frame/);
  });

  ws.send(
    JSON.stringify({
      type: 'request',
      id: 'big',
      command: 'datasets.list',
      input: { pad: 'x'.repeat(maxMessageBytes) },
    }),
  );
  await expectError((f) => {
    assert.equal(f.error.code, 'invalid-input');
    assert.match(f.error.message, /at most 1048576 bytes/);
  });

  ws.send(Buffer.from([1, 2, 3]), { binary: true });
  await expectError((f) => assert.match(f.error.message, /JSON text/));
});

test('the client over the WebSocket transport: a round trip, an import with progress, a cancel that changes nothing', async (t) => {
  const { server, dir } = await serve(t);
  const workspace = join(dir, 'w.constellation');
  const client = createClient(
    webSocketTransport({
      url: `ws://127.0.0.1:${server.port}/api?token=${server.token}`,
      WebSocket: class extends WebSocket {
        constructor(url: string) {
          super(url, { origin: origin(server) });
        }
      },
    }),
  );
  t.after(() => client.close());

  assert.deepEqual(await client.call('datasets.list', {}), { datasets: [] });

  writeFileSync(join(dir, 'small.csv'), 'user,item,timestamp\na,x,1\nb,y,2\nb,x,3\n');
  const summary = await client.call('import.run', {
    kind: 'interactions',
    paths: [join(dir, 'small.csv')],
    name: 'small',
  });
  assert.equal(summary.dataset, 'small');
  assert.equal(summary.relations, 3);

  writeLog(join(dir, 'big.csv'), 150_000);
  const controller = new AbortController();
  const progress: number[] = [];
  await assert.rejects(
    client.call(
      'import.run',
      { kind: 'interactions', paths: [join(dir, 'big.csv')], name: 'big' },
      {
        signal: controller.signal,
        onProgress: (p) => {
          progress.push(p.rows);
          controller.abort();
        },
      },
    ),
    (error: unknown) => error instanceof ApiError && error.code === 'cancelled',
  );
  assert.ok(progress.length >= 1 && progress[0] < 150_000, 'cancelled while rows were still coming');
  assert.deepEqual(datasetNames(workspace), ['small']);
  const { datasets } = await client.call('datasets.list', {});
  assert.deepEqual(
    datasets.map((d) => d.name),
    ['small'],
  );
});

test('closing the socket cancels its import and the workspace is unchanged', async (t) => {
  const { server, dir } = await serve(t);
  const workspace = join(dir, 'w.constellation');
  writeLog(join(dir, 'big.csv'), 150_000);
  const { ws, next } = await apiSocket(t, server);
  ws.send(
    JSON.stringify({
      type: 'request',
      id: 'imp',
      command: 'import.run',
      input: { kind: 'interactions', paths: [join(dir, 'big.csv')], name: 'big' },
    }),
  );
  const first = await next();
  assert.equal(first.type, 'progress');
  ws.close();
  // The server stops the import when the socket goes; close() resolves once it has rolled back.
  await server.close();
  assert.deepEqual(datasetNames(workspace), []);
});

test('listens on 127.0.0.1 only', async (t) => {
  const { server } = await serve(t);
  assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{32}$`));
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal);
  if (!external) {
    t.diagnostic('no non-loopback IPv4 interface on this machine to try');
    return;
  }
  await assert.rejects(
    get(`http://${external.address}:${server.port}${new URL(server.url).search}`),
    /ECONNREFUSED/,
  );
});

test('stopping the server during training checkpoints the run as paused; runs.resumable offers it', async (t) => {
  const { server, dir } = await serve(t);
  const workspace = join(dir, 'w.constellation');
  t.after(() => rmSync(`${workspace}.runs`, { recursive: true, force: true }));
  const log = ['user,item,timestamp'];
  for (let u = 0; u < 120; u++)
    for (let k = 0; k < 12; k++) log.push(`u${u},m${(u * 7 + k * 3) % 40},${1000 + k}`);
  writeFileSync(join(dir, 'log.csv'), `${log.join('\n')}\n`);
  const { ws, next } = await apiSocket(t, server);
  const send = (id: string, command: string, input: unknown) =>
    ws.send(JSON.stringify({ type: 'request', id, command, input }));
  send('imp', 'import.run', { kind: 'interactions', paths: [join(dir, 'log.csv')], name: 'log' });
  let frame = await next();
  while (frame.type === 'progress') frame = await next();
  assert.equal(frame.type, 'result', JSON.stringify(frame));

  send('train', 'train.start', {
    dataset: 'log',
    model: 'bert4rec',
    preset: 'quick',
    config: { epochs: 2, batch_size: 16, hidden: 16, val_users: 50 },
    device: 'cpu',
  });
  do frame = await next();
  while (!(frame.type === 'progress' && (frame.progress as { phase: string }).phase === 'training'));
  // What the app does on quit (and serve mode on Ctrl-C): pause, not cancel.
  await server.close({ pause: true });
  const check = await startServer({ workspace, rendererDir: join(dir, 'no-renderer') });
  t.after(() => check.close());
  const client = createClient(
    webSocketTransport({
      url: `ws://127.0.0.1:${check.port}/api?token=${check.token}`,
      WebSocket: class extends WebSocket {
        constructor(url: string) {
          super(url, { origin: origin(check) });
        }
      },
    }),
  );
  t.after(() => client.close());
  const { runs } = await client.call('runs.resumable', {});
  assert.equal(runs.length, 1);
  assert.equal(runs[0].model, 'bert4rec');
  assert.equal(runs[0].dataset, 'log');
});
