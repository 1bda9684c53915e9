// The embedding explorer in headless Chromium against serve mode: a run whose vectors are four
// planted blobs (papers with topic classes) is put in the workspace before serve starts; the test
// sees the points, hovers, searches, clicks for neighbours and colours by class (selection, filters
// and undo are in selection.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  buildRenderer,
  chromiumAvailable,
  matchScreenshot,
  openApp,
  type Served,
  textOf,
} from './harness.ts';
import { makePapersWorkspace, type Papers, paperCount, topics } from './papers-fixture.ts';

const skip = chromiumAvailable() ? false : 'skipped: /usr/bin/chromium is absent (apt-get install chromium)';
const n = paperCount;
let dir: string;
let server: Served;
let browser: Browser;
let page: Page;
let fixture: Papers;

/** Keys of the k papers nearest to paper i by cosine, computed here from the fixture's vectors. */
function nearest(i: number, k: number): string[] {
  const { vectors, dim } = fixture;
  const norm = (r: number) => Math.hypot(...vectors.subarray(r * dim, (r + 1) * dim));
  const scored: [number, number][] = [];
  for (let r = 0; r < n; r++) {
    if (r === i) continue;
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += vectors[i * dim + d] * vectors[r * dim + d];
    scored.push([r, dot / (norm(i) * norm(r))]);
  }
  return scored
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([r]) => `p${r}`);
}

before(async () => {
  if (skip) return;
  buildRenderer();
  dir = mkdtempSync(join(tmpdir(), 'constellation-explorer-'));
  fixture = makePapersWorkspace(join(dir, 'e2e.constellation'));
  ({ server, browser, page } = await openApp(join(dir, 'e2e.constellation')));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function centreOfScatter() {
  const box = (await page.getByTestId('scatter').boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2, box };
}

test('the explorer draws the run, searches, hovers, lists neighbours and colours', {
  skip,
}, async () => {
  await page.locator('a.nav[href="#/explore"]').click();
  await page.locator(`[data-testid="scatter"][data-points="${n}"]`).waitFor();
  assert.match(await textOf(page.getByTestId('legend')), /paper\s+400/);
  await page.waitForTimeout(300);
  await matchScreenshot(page, 'explorer', [page.locator('.workspace-name')]);

  // search flies to the paper: it is then under the centre of the plot
  await page.getByLabel('Search by name').fill('paper 123');
  await page.locator('.autocomplete button').first().dispatchEvent('mousedown');
  await page.waitForTimeout(800);
  const centre = await centreOfScatter();
  await page.mouse.move(centre.x - 3, centre.y);
  await page.mouse.move(centre.x, centre.y, { steps: 3 });
  const tooltip = page.getByTestId('tooltip');
  await tooltip.waitFor();
  const blob = fixture.blobs[123];
  assert.match(
    await textOf(tooltip),
    new RegExp(`${topics[blob]} paper 123[\\s\\S]*key p123[\\s\\S]*type paper[\\s\\S]*class field${blob}`),
  );

  // the search selected it: its neighbours in the original space are listed, nearest first
  const listed = page.getByTestId('neighbours');
  await listed.waitFor();
  const keys = await listed.locator('li .muted').allInnerTexts();
  assert.deepEqual(keys, nearest(123, 10));

  // clicking another point lists its own neighbours
  await page.mouse.click(centre.x, centre.y);
  await page.getByTestId('neighbours').getByText(`Nearest to ${topics[blob]} paper 123`).waitFor();

  await page.getByLabel('Colour by').selectOption('class');
  const legend = await textOf(page.getByTestId('legend'));
  for (let b = 0; b < 4; b++) {
    const count = fixture.blobs.filter((x) => x === b).length;
    assert.match(legend, new RegExp(`field${b}\\s+${count}`));
  }
  await page.waitForTimeout(300);
  await matchScreenshot(page, 'explorer-neighbours', [page.locator('.workspace-name')]);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export PNG' }).click();
  assert.match((await download).suggestedFilename(), /^constellation-run-\d+-pca\.png$/);
});
