// What the end-to-end tests share: a current renderer build, serve mode on a temporary workspace,
// Debian's headless Chromium with the llvmpipe flags, and screenshots compared with a tolerance.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import type { Browser, Locator, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { withBuildLock } from '../../src/cli/build-lock.ts';
import { launchHeadlessChromium } from '../../src/cli/headless-chromium.ts';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'renderer', 'dist', 'index.html');
const screenshots = join(root, 'renderer', 'e2e', '__screenshots__');
/** Set to 1 to write the current screenshots as the new baselines. */
const updating = process.env.UPDATE_SCREENSHOTS === '1';
const maxDiffPixelRatio = 0.02;

function newestIn(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestIn(join(path, name))));
}

/** Builds renderer/dist when a source of the page is newer than the build (one process at a time). */
export function buildRenderer(): void {
  const sources = ['renderer/src', 'renderer/index.html', 'renderer/vite.config.ts', 'src/api'].map((p) =>
    join(root, p),
  );
  withBuildLock(root, () => {
    if (existsSync(dist) && statSync(dist).mtimeMs >= Math.max(...sources.map(newestIn))) return;
    const built = spawnSync(
      process.execPath,
      [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'renderer', '--logLevel', 'warn'],
      { cwd: root, encoding: 'utf8' },
    );
    if (built.status !== 0) throw new Error(`vite build failed:\n${built.stdout}\n${built.stderr}`);
  });
}

/** Serve mode on `workspace` and the app's page in headless Chromium, connected to it. */
export async function openApp(workspace: string): Promise<{ server: Served; browser: Browser; page: Page }> {
  const server = await serve(workspace);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  page.setDefaultTimeout(90_000);
  await page.goto(server.url);
  await page.getByText('connected', { exact: true }).waitFor();
  return { server, browser, page };
}

export interface Served {
  url: string;
  stop(): Promise<void>;
}

/** `constellation serve` on a workspace file, as a user starts it; resolves with the printed address. */
export function serve(workspace: string): Promise<Served> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      // node flags for the served app when a test is diagnosed: --cpu-prof, --prof (NODE_OPTIONS refuses them)
      ...(process.env.E2E_SERVE_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      join(root, 'src', 'cli', 'bin.mjs'),
      'serve',
      '--workspace',
      workspace,
      '--port',
      '0',
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no address in 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(output)?.[0];
      if (!url) return;
      clearTimeout(timer);
      resolvePromise({
        url,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`serve exited (${code}):\n${output}`)));
  });
}

export function launchBrowser(): Promise<Browser> {
  return launchHeadlessChromium();
}

export const chromiumAvailable = (): boolean => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');

/**
 * Compares the page with renderer/e2e/__screenshots__/NAME.png, masking what changes from run to
 * run (times, temporary paths, live figures). A missing baseline is written (and said so).
 */
export async function matchScreenshot(page: Page, name: string, mask: Locator[] = []): Promise<string> {
  mkdirSync(screenshots, { recursive: true });
  const baseline = join(screenshots, `${name}.png`);
  const actual = await page.screenshot({ fullPage: false, mask, animations: 'disabled', caret: 'hide' });
  const out = join(root, '.tmp', 'e2e');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${name}.png`), actual);
  if (updating || !existsSync(baseline)) {
    writeFileSync(baseline, actual);
    return `wrote baseline ${baseline}`;
  }
  const expected = PNG.sync.read(readFileSync(baseline));
  const got = PNG.sync.read(actual);
  if (expected.width !== got.width || expected.height !== got.height) {
    throw new Error(
      `${name}: screenshot is ${got.width}x${got.height}, baseline ${expected.width}x${expected.height}`,
    );
  }
  const diff = new PNG({ width: got.width, height: got.height });
  const different = pixelmatch(expected.data, got.data, diff.data, got.width, got.height, { threshold: 0.1 });
  const ratio = different / (got.width * got.height);
  if (ratio > maxDiffPixelRatio) {
    writeFileSync(join(out, `${name}.diff.png`), PNG.sync.write(diff));
    throw new Error(
      `${name}: ${(ratio * 100).toFixed(2)} % of pixels differ from the baseline (at most ${maxDiffPixelRatio * 100} %); see ${out}/${name}.png and .diff.png, or UPDATE_SCREENSHOTS=1 to accept`,
    );
  }
  return `${name}: ${(ratio * 100).toFixed(2)} % of pixels differ`;
}

/** The text of an element as a person reads it (laid out, CSS text-transform applied). */
export function textOf(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the laid-out text is what the tests check
  return locator.innerText();
}
