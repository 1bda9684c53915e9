// Two runs of the same papers side by side in headless Chromium against serve mode: a box drawn in
// the compared run's plot selects the entities its coordinates put there (computed from that run's
// stored projection), and the selection is those same papers in the first plot, its panel and CSV;
// the PNG holds both plots; reprojecting the run keeps the selection.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { openWorkspace } from '../../src/workspace/workspace.ts';
import {
  buildRenderer,
  chromiumAvailable,
  matchScreenshot,
  openApp,
  type Served,
  textOf,
} from './harness.ts';
import { makePapersWorkspace, type Papers, paperCount } from './papers-fixture.ts';
import { type Coordinates, clearestBox, plotOn, shiftDrag } from './regions.ts';

const skip = chromiumAvailable() ? false : 'skipped: /usr/bin/chromium is absent (apt-get install chromium)';
let dir: string;
let workspacePath: string;
let server: Served;
let browser: Browser;
let page: Page;
let papers: Papers;

before(async () => {
  if (skip) return;
  buildRenderer();
  dir = mkdtempSync(join(tmpdir(), 'constellation-compare-'));
  workspacePath = join(dir, 'e2e.constellation');
  papers = makePapersWorkspace(workspacePath, { otherRun: true });
  ({ server, browser, page } = await openApp(workspacePath));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A run's stored PCA projection: keys and coordinates in entity id order (the explorer's rows). */
function storedProjection(run: number): Coordinates & { keys: string[] } {
  const ws = openWorkspace(workspacePath, { readonly: true });
  try {
    const pca = ws.analyses.projections(run).find((p) => p.method === 'pca')!;
    const { entityIds, xy } = ws.analyses.projection(pca.id)!;
    return {
      keys: ws.entities.describe(entityIds).keys,
      x: Array.from(entityIds, (_, k) => xy[2 * k]),
      y: Array.from(entityIds, (_, k) => xy[2 * k + 1]),
    };
  } finally {
    ws.close();
  }
}

test('a box in the compared run selects its papers in both runs', { skip }, async () => {
  await page.locator('a.nav[href="#/explore"]').click();
  // the newer run opens first; the older one is offered for comparison
  await page.locator(`[data-testid="scatter"][data-points="${paperCount}"]`).waitFor();
  await page.getByLabel('Compare with').selectOption(String(papers.run));
  await page.locator(`[data-testid="scatter-compared"][data-points="${paperCount}"]`).waitFor();
  await page.waitForTimeout(300);

  const shown = storedProjection(papers.otherRun!);
  const compared = storedProjection(papers.run);
  assert.deepEqual(compared.keys, shown.keys, 'both runs list the same papers in the same order');
  const expected = clearestBox(compared);
  assert.ok(
    expected.clearance >= 0.01,
    `every box passes within ${expected.clearance} of the extent from a point`,
  );
  assert.ok(expected.rows.length > 0 && expected.rows.length < paperCount);

  const { corner } = await plotOn(page, 'scatter-compared');
  await shiftDrag(page, corner(expected.from), corner(expected.to));
  await page.getByTestId('selection').getByText(`Selected: ${expected.rows.length} points`).waitFor();

  // the CSV lists those papers where the first run placed them: one selection for both plots
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const lines = readFileSync((await (await download).path())!, 'utf8')
    .trimEnd()
    .split('\r\n')
    .slice(1);
  assert.deepEqual(
    lines.map((line) => line.split(',')[0]),
    expected.rows.map((k) => shown.keys[k]),
  );
  lines.forEach((line, at) => {
    const [x, y] = line.split(',').slice(5).map(Number);
    assert.deepEqual([x, y], [shown.x[expected.rows[at]], shown.y[expected.rows[at]]]);
  });
  await matchScreenshot(page, 'explorer-compare', [page.locator('.workspace-name')]);

  // the PNG holds both plots side by side, 8 px apart (each plot is its frame less a 1 px border)
  const widths = await Promise.all(
    ['scatter', 'scatter-compared'].map(async (id) => (await page.getByTestId(id).boundingBox())!.width - 2),
  );
  const png = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export PNG' }).click();
  const { width } = PNG.sync.read(readFileSync((await (await png).path())!));
  assert.ok(Math.abs(width - (widths[0] + 8 + widths[1])) <= 2, `PNG ${width} px wide, plots ${widths}`);
});

test('another projection of the same run keeps the selection', { skip }, async () => {
  const selectedBefore = (await page.getByTestId('selection').locator('h4').textContent())!;
  await page.getByLabel('Projection').selectOption('umap');
  await page.getByRole('button', { name: 'Project' }).click();
  await page.getByTestId('projection-progress').waitFor({ state: 'detached', timeout: 120_000 });
  await page.locator(`[data-testid="scatter"][data-points="${paperCount}"]`).waitFor();
  assert.equal(
    await page.getByTestId('scatter-compared').count(),
    0,
    'the comparison ends with the projection',
  );
  assert.equal((await page.getByTestId('selection').locator('h4').textContent())!, selectedBefore);
  assert.match(await textOf(page.locator('.explorer-side')), /UMAP/);
});
