// `constellation bench explorer`: frames per second of the embedding explorer during a scripted
// pan and zoom over a generated run, next to a bare sigma page drawing the same points in a plot of
// the same size. Both run in Debian's headless Chromium with the llvmpipe flags
// (ARCHITECTURE.md, "The renderer"), driven by the same real mouse input; a frame counts when
// WebGL drew in it. playwright-core and vite are development tools, loaded only when this runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { clusteredVectors } from '../analysis/clustered-vectors.ts';
import { pcaProjection } from '../analysis/pca.ts';
import { startServer } from '../server/server.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { withBuildLock } from './build-lock.ts';
import { launchHeadlessChromium } from './headless-chromium.ts';

const root = resolve(fileURLToPath(import.meta.url), '..', '..', '..');

export interface ExplorerFpsOptions {
  points: number;
  /** seconds of pan and zoom per page and round */
  seconds: number;
  /** rounds of (explorer, bare page), alternated so that a change in the machine's load hits both */
  rounds: number;
  /** rebuild renderer/dist first (off: measure the build that is there) */
  build: boolean;
  /** after measuring, search the explorer for a name and report whether the match was found */
  search: boolean;
}

export interface ExplorerFps {
  explorer_fps: number;
  bare_fps: number;
  ratio: number;
  points: number;
  seconds_per_page: number;
  rounds: { explorer_fps: number; bare_fps: number }[];
  /** from opening the explorer to its plot holding every point */
  explorer_load_seconds: number;
  search?: { query: string; found: boolean; seconds: number };
  load_average: number[];
  cores: number;
}

/**
 * Counts frames in which WebGL drew, installed before any page script runs. Passed as text: tsx
 * compiles functions with a `__name` helper that the page does not have.
 */
const frameCounter = `
  const state = { frames: 0, counting: false, drew: false };
  window.__fps = state;
  for (const context of [WebGLRenderingContext, WebGL2RenderingContext]) {
    for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced']) {
      const draw = context.prototype[name];
      if (!draw) continue;
      context.prototype[name] = function (...args) {
        state.drew = true;
        return draw.apply(this, args);
      };
    }
  }
  const tick = () => {
    if (state.drew && state.counting) state.frames++;
    state.drew = false;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
`;

/** A workspace with one run of `points` clustered 16-d vectors (20 blobs), entity names "point i". */
function writeWorkspace(path: string, points: number): Float32Array {
  const { vectors, dim } = clusteredVectors(points, 16, 20, 1);
  const ws = openWorkspace(path);
  try {
    const session = ws.beginImport({ name: 'fps', kind: 'network', source: { format: 'bench', paths: [] } });
    session.addEntities(
      'point',
      Array.from({ length: points }, (_, i) => ({ key: `k${i}`, label: `point ${i}` })),
    );
    const dataset = session.commit();
    const ids = ws.entities.ids(ws.entities.type(dataset.id, 'point')!.id);
    const run = ws.runs.create({
      datasetId: dataset.id,
      model: 'metapath2vec',
      config: {},
      seed: 0,
      device: 'cpu',
      codeVersion: 'bench',
    });
    ws.embeddings.put(run.id, { entityIds: ids, dim, vectors });
  } finally {
    ws.close();
  }
  // what the explorer shows first: the PCA of the run
  return pcaProjection(vectors, 16);
}

/** Pans in a circle by dragging, then zooms in and out with the wheel, until `seconds` are up. */
async function panAndZoom(page: Page, centre: { x: number; y: number }, seconds: number): Promise<number> {
  await page.evaluate('window.__fps.frames = 0; window.__fps.counting = true');
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  while (elapsed() < seconds) {
    await page.mouse.move(centre.x, centre.y);
    await page.mouse.down();
    for (let step = 1; step <= 24 && elapsed() < seconds; step++) {
      const angle = (step / 24) * 2 * Math.PI;
      await page.mouse.move(centre.x + 80 * Math.sin(angle), centre.y + 80 * (1 - Math.cos(angle)));
    }
    await page.mouse.up();
    for (const delta of [-300, 300]) {
      if (elapsed() >= seconds) break;
      await page.mouse.wheel(0, delta);
      await page.waitForTimeout(350);
    }
  }
  const frames = (await page.evaluate('window.__fps.counting = false; window.__fps.frames')) as number;
  return frames / elapsed();
}

/** Serves the bare page's build and the points it draws, on loopback. */
async function serveBarePage(dir: string, xy: Float32Array) {
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
  };
  const points = Buffer.from(xy.buffer, xy.byteOffset, xy.byteLength);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/points.bin') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(points);
      return;
    }
    const file = resolve(dir, `.${path === '/' ? '/index.html' : path}`);
    if (!file.startsWith(dir)) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(file);
      response
        .writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
        .end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function viteBuild(args: string[]): void {
  const built = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`vite ${args.join(' ')} failed:\n${built.stdout}\n${built.stderr}`);
}

export async function explorerFps(options: ExplorerFpsOptions): Promise<ExplorerFps> {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-fps-'));
  const bareDir = join(dir, 'bare');
  if (options.build) withBuildLock(root, () => viteBuild(['build', 'renderer', '--logLevel', 'warn']));
  // the bare page goes through the same bundler, so it draws with the same sigma build
  viteBuild([
    'build',
    join(root, 'renderer', 'bench'),
    '--base',
    './',
    '--outDir',
    bareDir,
    '--emptyOutDir',
    '--logLevel',
    'warn',
  ]);
  const xy = writeWorkspace(join(dir, 'fps.constellation'), options.points);
  const server = await startServer({ workspace: join(dir, 'fps.constellation'), port: 0 });
  const bare = await serveBarePage(bareDir, xy);
  const browser = await launchHeadlessChromium();
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      deviceScaleFactor: 1,
    });
    await context.addInitScript({ content: frameCounter });
    const explorer = await context.newPage();
    explorer.setDefaultTimeout(600_000);
    await explorer.goto(server.url);
    await explorer.getByText('connected', { exact: true }).waitFor();
    const opened = performance.now();
    await explorer.locator('a.nav[href="#/explore"]').click();
    const scatter = explorer.locator(`[data-testid="scatter"][data-points="${options.points}"]`);
    await scatter.waitFor();
    const explorerLoad = (performance.now() - opened) / 1000;
    const box = (await scatter.boundingBox())!;
    const barePage = await context.newPage();
    barePage.setDefaultTimeout(600_000);
    await barePage.goto(`${bare.url}?width=${Math.round(box.width)}&height=${Math.round(box.height)}`);
    await barePage.locator(`#graph[data-points="${options.points}"]`).waitFor();
    const rounds: ExplorerFps['rounds'] = [];
    for (let round = 0; round < options.rounds; round++) {
      await explorer.bringToFront();
      const explorerFps = await panAndZoom(
        explorer,
        { x: box.x + box.width / 2, y: box.y + box.height / 2 },
        options.seconds,
      );
      await barePage.bringToFront();
      const bareFps = await panAndZoom(barePage, { x: box.width / 2, y: box.height / 2 }, options.seconds);
      rounds.push({ explorer_fps: explorerFps, bare_fps: bareFps });
    }
    const mean = (key: 'explorer_fps' | 'bare_fps') => rounds.reduce((s, r) => s + r[key], 0) / rounds.length;
    const result: ExplorerFps = {
      explorer_fps: mean('explorer_fps'),
      bare_fps: mean('bare_fps'),
      ratio: mean('explorer_fps') / mean('bare_fps'),
      points: options.points,
      seconds_per_page: options.seconds,
      rounds,
      explorer_load_seconds: explorerLoad,
      load_average: loadavg(),
      cores: availableParallelism(),
    };
    if (options.search) {
      await explorer.bringToFront();
      const query = `point ${options.points - 1}`;
      const started = performance.now();
      await explorer.getByLabel('Search by name').fill(query);
      const match = explorer.locator('.autocomplete button').filter({ hasText: query }).first();
      const found = await match
        .waitFor({ timeout: 120_000 })
        .then(() => true)
        .catch(() => false);
      result.search = { query, found, seconds: (performance.now() - started) / 1000 };
    }
    return result;
  } finally {
    await browser.close();
    await bare.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
