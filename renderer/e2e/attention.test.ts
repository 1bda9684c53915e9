// Where a ViT run looks, in the explorer, in headless Chromium against serve mode: a quick ViT run
// trained on generated bar images (the real trainer), its point focused through the search, and the
// attention panel drawn from vit.attention: the run's prediction, the image's class, the strongest
// patch of the rollout and of a chosen head, the same as the API gives for that image.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { dispatch } from '../../src/api/dispatcher.ts';
import { barsCsv, importImages } from '../../src/models/vision/fixtures.ts';
import { trainVit } from '../../src/models/vit/train.ts';
import { openWorkspace } from '../../src/workspace/workspace.ts';
import { strongestPatch } from '../src/explorer/attention.ts';
import { buildRenderer, chromiumAvailable, openApp, type Served, textOf } from './harness.ts';

const skip = chromiumAvailable() ? false : 'skipped: /usr/bin/chromium is absent (apt-get install chromium)';
const images = 4 * 30;

let dir: string;
let path: string;
let server: Served;
let browser: Browser;
let page: Page;
let run: number;

before(async () => {
  if (skip) return;
  buildRenderer();
  dir = mkdtempSync(join(tmpdir(), 'constellation-attention-'));
  path = join(dir, 'e2e.constellation');
  const workspace = openWorkspace(path);
  try {
    await importImages(workspace, 'bars', barsCsv(dir, { classes: 4, perClass: 30 }));
    ({ run } = await trainVit(workspace, {
      dataset: 'bars',
      config: { preset: 'quick', overrides: { epochs: 3, batch_size: 16 } },
      device: 'cpu',
      threads: 1,
    }));
  } finally {
    workspace.close();
  }
  ({ server, browser, page } = await openApp(path));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('focusing an image of a ViT run shows where the run looks in it, as vit.attention gives it', {
  skip,
}, async () => {
  const key = '17';
  const maps = await dispatch('vit.attention', { run, entity: key }, { workspace: path });

  await page.locator('a.nav[href="#/explore"]').click();
  await page.locator(`[data-testid="scatter"][data-points="${images}"]`).waitFor();
  await page.getByLabel('Search by name').fill(key);
  // the entry of image 17 itself, not of 117 or 170
  await page
    .locator('.autocomplete button', { hasText: new RegExp(`image ${key}$`) })
    .first()
    .dispatchEvent('mousedown');

  const panel = page.getByTestId('attention');
  await panel.waitFor();
  const canvas = panel.locator('canvas');
  assert.equal(await canvas.getAttribute('aria-label'), `Rollout over all layers over ${key}`);
  assert.equal(await canvas.getAttribute('data-grid'), String(maps.grid));
  const rolloutPeak = strongestPatch(maps.rollout, maps.grid);
  assert.equal(await canvas.getAttribute('data-strongest'), `${rolloutPeak.row},${rolloutPeak.column}`);
  const text = await textOf(panel);
  assert.match(text, new RegExp(`Predicted ${maps.predicted} \\(${(100 * maps.confidence).toFixed(1)} %\\)`));
  assert.match(text, new RegExp(`class ${maps.label}`));
  assert.match(await textOf(page.locator('.explorer-side')), new RegExp(`Where run #${run} looks`, 'i'));

  // one head of the last layer: its own strongest patch
  const layer = maps.layers - 1;
  const head = maps.heads - 1;
  await panel.getByLabel('Map').selectOption({ label: `Layer ${layer + 1}, head ${head + 1}` });
  const headPeak = strongestPatch(maps.cls[layer][head], maps.grid);
  await page
    .locator(`[data-testid="attention"] canvas[data-strongest="${headPeak.row},${headPeak.column}"]`)
    .waitFor();

  // the picture is drawn under the map: the canvas is not blank
  const lit = await canvas.evaluate((element: HTMLCanvasElement) => {
    const pixels = element.getContext('2d')!.getImageData(0, 0, element.width, element.height).data;
    let count = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] + pixels[i + 1] + pixels[i + 2] > 0) count++;
    return count / (pixels.length / 4);
  });
  assert.ok(lit > 0.05, `${(100 * lit).toFixed(1)} % of the canvas is lit`);
});
