// The renderer's built files (renderer/dist) as serve mode and the Electron app hand them out: only
// files inside the build folder, index.html for the app's own routes, and a page saying how to
// build the renderer when there is no build yet.
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

export const contentTypeOf = (file: string): string =>
  contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';

/**
 * The file of the renderer build a GET of `pathname` asks for: the file itself when it lies inside
 * the build, index.html for the app's own routes (paths without an extension, a reload on /runs),
 * or the status to answer with. Serve mode and Electron's app:// protocol both go through this.
 */
export function resolveRendererFile(
  rendererDir: string,
  pathname: string,
): { file: string } | { status: 400 | 404 | 503 } {
  const root = resolve(rendererDir);
  const index = join(root, 'index.html');
  if (!existsSync(index)) return { status: 503 };
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    return { status: 400 };
  }
  const file = resolve(root, `.${relative}`);
  if (file !== root && !file.startsWith(root + sep)) return { status: 404 };
  if (existsSync(file) && statSync(file).isFile()) return { file };
  return extname(relative) === '' ? { file: index } : { status: 404 };
}

/** Sends the file a GET of `pathname` asks for, the how-to-build page, or an error status. */
export function sendRendererFile(rendererDir: string, pathname: string, response: ServerResponse): void {
  const found = resolveRendererFile(rendererDir, pathname);
  if ('status' in found) {
    if (found.status === 503)
      sendText(response, 503, 'text/html; charset=utf-8', missingBuildPage(rendererDir));
    else
      sendText(
        response,
        found.status,
        'text/plain; charset=utf-8',
        found.status === 404 ? 'not found\n' : 'bad path\n',
      );
    return;
  }
  response.writeHead(200, { 'Content-Type': contentTypeOf(found.file) });
  createReadStream(found.file).pipe(response);
}

export function sendText(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

export function missingBuildPage(rendererDir: string): string {
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
