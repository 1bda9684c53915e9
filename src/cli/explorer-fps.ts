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
  /**
   * rounds of (explorer, bare page), alternated so that a change in the machine's load hits both;
   * 0: no frame rates and no bare page, only the explorer's load, first frame and search
   */
  rounds: number;
  /** rebuild renderer/dist first (off: measure the build that is there) */
  build: boolean;
  /** after measuring, search the explorer for a name, a keystroke at a time, and go to the match */
  search: boolean;
  /** the renderer build to measure (default renderer/dist): an older build, to compare */
  rendererDir?: string;
}

export interface ExplorerSearch {
  query: string;
  /** the autocomplete listed the point after the last keystroke */
  found: boolean;
  /** the keystrokes' time together: from the first key to the point listed */
  seconds: number;
  /** per keystroke, from the key to the autocomplete showing that prefix's matches */
  keystroke_seconds: number[];
  median_keystroke_seconds: number;
  max_keystroke_seconds: number;
  /** from Enter on the match to its nearest neighbours listed and the next frame drawn */
  select_seconds: number;
}

export interface ExplorerFps {
  /** null when no round was asked for */
  explorer_fps: number | null;
  bare_fps: number | null;
  ratio: number | null;
  points: number;
  seconds_per_page: number;
  rounds: { explorer_fps: number; bare_fps: number }[];
  /** from opening the explorer to its plot holding every point */
  explorer_load_seconds: number;
  /** from opening the explorer to the end of the first frame in which WebGL drew */
  explorer_first_frame_seconds: number;
  search?: ExplorerSearch;
  load_average: number[];
  cores: number;
}

/**
 * Counts frames in which WebGL drew, installed before any page script runs. Passed as text: tsx
 * compiles functions with a `__name` helper that the page does not have.
 */
const frameCounter = `
  const state = { frames: 0, counting: false, drew: false, firstFrame: null };
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
  const tick = (now) => {
    if (state.drew && state.firstFrame === null) state.firstFrame = now;
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
      Array.from({ length: points }, (_, i) => ({ key: pointKey(i), label: pointName(i) })),
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

const pointName = (i: number) => `point ${i}`;
const pointKey = (i: number) => `k${i}`;

/** The match the explorer lists first: the first point whose name starts with the text, else contains it. */
function firstMatch(text: string, points: number): number {
  let containing = -1;
  for (let i = 0; i < points; i++) {
    const [name, key] = [pointName(i), pointKey(i)];
    if (name.startsWith(text) || key.startsWith(text)) return i;
    if (containing < 0 && (name.includes(text) || key.includes(text))) containing = i;
  }
  return containing;
}

const nextFrame = 'new Promise((done) => requestAnimationFrame(() => done()))';

/**
 * Types the query into the explorer's search box as a person does, a key at a time, timing each
 * key until the autocomplete lists that prefix's matches; then Enter goes to the first match.
 */
async function searchByName(explorer: Page, points: number): Promise<ExplorerSearch> {
  const query = pointName(points - 1);
  // what is left to draw after the pan and zoom is not the search's time
  await explorer.evaluate(nextFrame);
  const box = explorer.getByLabel('Search by name');
  await box.focus();
  const keystrokes: number[] = [];
  for (let k = 1; k <= query.length; k++) {
    // the same wait for any build of the page, an older one too: its first match listed
    const first = firstMatch(query.slice(0, k), points);
    const typed = performance.now();
    await explorer.keyboard.type(query[k - 1]);
    await explorer
      .locator('.autocomplete li')
      .first()
      .filter({ hasText: new RegExp(`^${pointName(first)}\\s`) })
      .waitFor();
    keystrokes.push((performance.now() - typed) / 1000);
  }
  const found = await explorer
    .locator('.autocomplete button')
    .filter({ hasText: query })
    .first()
    .waitFor({ timeout: 120_000 })
    .then(() => true)
    .catch(() => false);
  const chosen = performance.now();
  await box.press('Enter');
  await explorer.getByTestId('neighbours').getByText(`Nearest to ${query}`).waitFor();
  await explorer.evaluate(nextFrame);
  const sorted = [...keystrokes].sort((a, b) => a - b);
  return {
    query,
    found,
    seconds: keystrokes.reduce((sum, t) => sum + t, 0),
    keystroke_seconds: keystrokes,
    median_keystroke_seconds: sorted[Math.floor(sorted.length / 2)],
    max_keystroke_seconds: sorted[sorted.length - 1],
    select_seconds: (performance.now() - chosen) / 1000,
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
  const measuringFps = options.rounds > 0;
  if (measuringFps)
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
  const server = await startServer({
    workspace: join(dir, 'fps.constellation'),
    port: 0,
    rendererDir: options.rendererDir,
  });
  const bare = measuringFps ? await serveBarePage(bareDir, xy) : null;
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
    const openedInPage = (await explorer.evaluate('performance.now()')) as number;
    await explorer.locator('a.nav[href="#/explore"]').click();
    const scatter = explorer.locator(`[data-testid="scatter"][data-points="${options.points}"]`);
    await scatter.waitFor();
    const explorerLoad = (performance.now() - opened) / 1000;
    // nothing draws with WebGL before the plot: its first frame is the page's first
    await explorer.waitForFunction('window.__fps.firstFrame !== null', undefined, { polling: 100 });
    const firstFrame = ((await explorer.evaluate('window.__fps.firstFrame')) as number) - openedInPage;
    const box = (await scatter.boundingBox())!;
    const rounds: ExplorerFps['rounds'] = [];
    if (bare) {
      const barePage = await context.newPage();
      barePage.setDefaultTimeout(600_000);
      await barePage.goto(`${bare.url}?width=${Math.round(box.width)}&height=${Math.round(box.height)}`);
      await barePage.locator(`#graph[data-points="${options.points}"]`).waitFor();
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
    }
    const mean = (key: 'explorer_fps' | 'bare_fps') =>
      rounds.length === 0 ? null : rounds.reduce((s, r) => s + r[key], 0) / rounds.length;
    const [explorerFps, bareFps] = [mean('explorer_fps'), mean('bare_fps')];
    const result: ExplorerFps = {
      explorer_fps: explorerFps,
      bare_fps: bareFps,
      ratio: explorerFps === null || bareFps === null ? null : explorerFps / bareFps,
      points: options.points,
      seconds_per_page: options.seconds,
      rounds,
      explorer_load_seconds: explorerLoad,
      explorer_first_frame_seconds: firstFrame / 1000,
      load_average: loadavg(),
      cores: availableParallelism(),
    };
    if (options.search) {
      await explorer.bringToFront();
      result.search = await searchByName(explorer, options.points);
      result.load_average = loadavg();
    }
    return result;
  } finally {
    await browser.close();
    await bare?.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
