// The renderer's built files (renderer/dist) as serve mode hands them out: only files inside the
// build folder, index.html for the app's own routes, and a page saying how to build the renderer
// when there is no build yet.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export const defaultRendererDir = resolve(new URL('../../renderer/dist', import.meta.url).pathname);

/** Sends the file a GET of `pathname` asks for, or 404. */
export function sendRendererFile(rendererDir: string, pathname: string, response: ServerResponse): void {
  const index = join(rendererDir, 'index.html');
  if (!existsSync(index)) {
    sendText(response, 503, 'text/html; charset=utf-8', missingBuildPage(rendererDir));
    return;
  }
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    sendText(response, 400, 'text/plain; charset=utf-8', 'bad path\n');
    return;
  }
  const root = resolve(rendererDir);
  const file = resolve(root, `.${relative}`);
  if (file !== root && !file.startsWith(root + sep)) {
    sendText(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  const isFile = existsSync(file) && statSync(file).isFile();
  // Paths without an extension are the app's own routes (#/runs aside, a reload on /runs).
  const target = isFile ? file : extname(relative) === '' ? index : null;
  if (!target) {
    sendText(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  response.writeHead(200, {
    'Content-Type': contentTypes[extname(target).toLowerCase()] ?? 'application/octet-stream',
  });
  createReadStream(target).pipe(response);
}

export function sendText(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

function missingBuildPage(rendererDir: string): string {
  const escaped = rendererDir.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Constellation: the UI is not built</title></head>
<body>
<h1>Constellation is running, but its UI has not been built</h1>
<p>There is no <code>${escaped}/index.html</code>. Build the renderer once, then reload this page:</p>
<pre>npm run build:renderer</pre>
<p>The API is already available on this server's WebSocket (<code>/api</code>), and the command line works without the UI: <code>npx constellation --help</code>.</p>
</body></html>
`;
}
