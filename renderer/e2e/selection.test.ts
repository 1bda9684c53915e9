// Selecting, filtering and undoing in the embedding explorer, in headless Chromium against serve
// mode. What a box or lasso must select is computed from the stored projection's coordinates (see
// regions.ts); the regions are checked to pass no point closer than 1 % of the extent, so a pixel
// of rounding cannot move a point across.
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
import { makePapersWorkspace, type Papers, paperCount, topics } from './papers-fixture.ts';
import { clearestBox, clearestWedge, plotOn, shiftDrag as shiftDragOn } from './regions.ts';

const skip = chromiumAvailable() ? false : 'skipped: /usr/bin/chromium is absent (apt-get install chromium)';
let dir: string;
let workspacePath: string;
let server: Served;
let browser: Browser;
let page: Page;
let papers: Papers;
/** the stored PCA projection, row k being the explorer's point k (entity id order) */
const stored = { keys: [] as string[], x: [] as number[], y: [] as number[] };

before(async () => {
  if (skip) return;
  buildRenderer();
  dir = mkdtempSync(join(tmpdir(), 'constellation-selection-'));
  workspacePath = join(dir, 'e2e.constellation');
  papers = makePapersWorkspace(workspacePath);
  ({ server, browser, page } = await openApp(workspacePath));
  await page.locator('a.nav[href="#/explore"]').click();
  await page.locator(`[data-testid="scatter"][data-points="${paperCount}"]`).waitFor();
  const ws = openWorkspace(workspacePath, { readonly: true });
  try {
    const pca = ws.analyses.projections(papers.run).find((p) => p.method === 'pca')!;
    const { entityIds, xy } = ws.analyses.projection(pca.id)!;
    stored.keys = ws.entities.describe(entityIds).keys;
    stored.x = Array.from(entityIds, (_, k) => xy[2 * k]);
    stored.y = Array.from(entityIds, (_, k) => xy[2 * k + 1]);
  } finally {
    ws.close();
  }
  await page.waitForTimeout(300);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const row = (key: string) => Number(key.slice(1));
const blobOf = (k: number) => papers.blobs[row(stored.keys[k])];

const plot = () => plotOn(page);
const shiftDrag = (from: { x: number; y: number }, to: { x: number; y: number }) =>
  shiftDragOn(page, from, to);

/** Draws the wedge from a1 to a2 as a lasso: the middle, along the ray a1, round the plot's edge, back along a2. */
async function lasso(a1: number, a2: number) {
  const { centre, edge } = await plot();
  const span = (((a2 - a1) % 360) + 360) % 360;
  const path = [centre];
  for (let a = 0; a < span; a += 5) path.push(edge(a1 + a));
  path.push(edge(a2));
  const at = path.map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) }));
  await page.mouse.move(at[0].x, at[0].y);
  await page.mouse.down();
  for (const p of at.slice(1)) await page.mouse.move(p.x, p.y, { steps: 2 });
  await page.mouse.up();
}

/** The selection panel's heading as written (the page shows it in capitals). */
async function selectionTitle(): Promise<string> {
  return (await page.getByTestId('selection').locator('h4').textContent())!.trim();
}

/** Pixels of the PNG within 3 per channel of a colour. */
function pixelsOf(png: PNG, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((o) => Number.parseInt(hex.slice(o, o + 2), 16));
  let count = 0;
  for (let o = 0; o < png.data.length; o += 4) {
    if (
      Math.abs(png.data[o] - r) <= 3 &&
      Math.abs(png.data[o + 1] - g) <= 3 &&
      Math.abs(png.data[o + 2] - b) <= 3
    )
      count++;
  }
  return count;
}

async function exportedPng(): Promise<PNG> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export PNG' }).click();
  return PNG.sync.read(readFileSync((await (await download).path())!));
}

const grey = '#dcdfe4';
const firstColour = '#4e79a7';

test('a box through the middle selects the points of its quadrant or half, counted per label, exported as CSV', {
  skip,
}, async () => {
  const expected = clearestBox(stored);
  assert.ok(
    expected.clearance >= 0.01,
    `every box passes within ${expected.clearance} of the extent from a point`,
  );
  assert.ok(expected.rows.length > 0 && expected.rows.length < paperCount);
  const { corner } = await plot();
  await shiftDrag(corner(expected.from), corner(expected.to));
  await page.getByTestId('selection').waitFor();
  assert.equal(await selectionTitle(), `Selected: ${expected.rows.length} points`);
  assert.match(
    await textOf(page.getByTestId('selection-counts')),
    new RegExp(`paper\\s+${expected.rows.length}`),
  );

  // coloured by class, the panel counts the selection per class
  await page.getByLabel('Colour by').selectOption('class');
  const counts = await textOf(page.getByTestId('selection-counts'));
  for (let b = 0; b < 4; b++) {
    const inBlob = expected.rows.filter((k) => blobOf(k) === b).length;
    if (inBlob > 0) assert.match(counts, new RegExp(`field${b}\\s+${inBlob}`));
    else assert.doesNotMatch(counts, new RegExp(`field${b}`));
  }

  // the view keeps the other points, greyed
  const png = await exportedPng();
  assert.ok(pixelsOf(png, grey) > 0, 'unselected points are drawn grey');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), /^constellation-run-\d+-selection\.csv$/);
  const lines = readFileSync((await file.path())!, 'utf8')
    .trimEnd()
    .split('\r\n');
  assert.equal(lines[0], 'key,label,type,class,cluster,x,y');
  assert.equal(lines.length, expected.rows.length + 1);
  expected.rows.forEach((k, at) => {
    const [key, label, type, klass, cluster, x, y] = lines[at + 1].split(',');
    const b = blobOf(k);
    assert.deepEqual(
      [key, label, type, klass, cluster],
      [stored.keys[k], `${topics[b]} paper ${row(stored.keys[k])}`, 'paper', `field${b}`, ''],
    );
    assert.equal(Number(x), stored.x[k]);
    assert.equal(Number(y), stored.y[k]);
  });
});

test('a lasso selects the points it encloses; undo and redo walk back and forth, by button and key', {
  skip,
}, async () => {
  const boxed = await selectionTitle();
  const expected = clearestWedge(stored);
  const { a1, a2 } = expected;
  assert.ok(expected.clearance >= 0.01, `the lasso passes ${expected.clearance} of the extent from a point`);

  await page.getByRole('button', { name: 'Lasso', exact: true }).click();
  await lasso(a1, a2);
  await page.getByRole('button', { name: 'Pan', exact: true }).click();
  const lassoed = `Selected: ${expected.rows.length} points`;
  await page.getByTestId('selection').getByText(lassoed).waitFor();
  const counts = await textOf(page.getByTestId('selection-counts'));
  for (let b = 0; b < 4; b++) {
    const inBlob = expected.rows.filter((k) => blobOf(k) === b).length;
    if (inBlob > 0) assert.match(counts, new RegExp(`field${b}\\s+${inBlob}`));
  }

  // alt-drag draws the same lasso without the tool
  await page.getByRole('button', { name: 'Clear selection' }).click();
  await page.keyboard.down('Alt');
  await lasso(a1, a2);
  await page.keyboard.up('Alt');
  await page.getByTestId('selection').getByText(lassoed).waitFor();

  // history: box, lasso, cleared, lasso (alt)
  await page.getByRole('button', { name: 'Undo' }).click();
  assert.equal(await page.getByTestId('selection').count(), 0, 'undo brings back the cleared state');
  await page.getByRole('button', { name: 'Undo' }).click();
  assert.equal(await selectionTitle(), lassoed);
  await page.keyboard.press('Control+z');
  assert.equal(await selectionTitle(), boxed);
  await page.keyboard.press('Control+Shift+z');
  assert.equal(await selectionTitle(), lassoed);
  await page.getByRole('button', { name: 'Redo' }).click();
  await page.getByRole('button', { name: 'Redo' }).click();
  assert.equal(await selectionTitle(), lassoed);
  assert.ok(await page.getByRole('button', { name: 'Redo' }).isDisabled());
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('selection').count(), 0);
});

test('legend entries filter by label and by type; filtered points grey or hidden; undo restores them', {
  skip,
}, async () => {
  const inField0 = Array.from(papers.blobs).filter((b) => b === 0).length;
  const legend = page.getByTestId('legend');
  await legend.getByLabel('field0').uncheck();
  assert.match(await textOf(legend), /field0/, 'a filtered entry stays in the legend to be shown again');

  // selecting everything leaves out what the filter took
  const { frame } = await plot();
  await shiftDrag(
    { x: frame.x + 2, y: frame.y + 2 },
    { x: frame.x + frame.width - 2, y: frame.y + frame.height - 2 },
  );
  await page
    .getByTestId('selection')
    .getByText(`Selected: ${paperCount - inField0} points`)
    .waitFor();
  assert.doesNotMatch(await textOf(page.getByTestId('selection-counts')), /field0/);

  // field0 is the only grey left; hidden, nothing is grey
  assert.ok(pixelsOf(await exportedPng(), grey) > 0);
  await page.getByLabel('Hide filtered-out points').check();
  const hidden = await exportedPng();
  assert.equal(pixelsOf(hidden, grey), 0);
  assert.ok(
    pixelsOf(hidden, firstColour) > 0 || pixelsOf(hidden, '#f28e2b') > 0,
    'the selection is still drawn',
  );

  // the type filter takes every paper out: a box then selects nothing
  await page.getByTestId('type-filter').getByLabel('paper').uncheck();
  await page.keyboard.press('Escape');
  await shiftDrag(
    { x: frame.x + 2, y: frame.y + 2 },
    { x: frame.x + frame.width - 2, y: frame.y + frame.height - 2 },
  );
  assert.equal(await page.getByTestId('selection').count(), 0);

  // undo: the cleared selection back, then papers shown, then greyed again, then field0 shown
  await page.keyboard.press('Control+z');
  await page.getByTestId('selection').waitFor();
  await page.keyboard.press('Control+z');
  assert.ok(await page.getByTestId('type-filter').getByLabel('paper').isChecked());
  await page.keyboard.press('Control+z');
  assert.ok(!(await page.getByLabel('Hide filtered-out points').isChecked()));
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  assert.ok(await legend.getByLabel('field0').isChecked());
  await page.keyboard.press('Escape');
});

test('colouring by cluster shows a legend with what each cluster is about, and labels at their centres', {
  skip,
}, async () => {
  await page.getByLabel('Colour by').selectOption('cluster');
  const legend = page.getByTestId('legend');
  await legend.getByText('Colour: cluster').waitFor();
  await legend.locator('.caption').first().waitFor();
  const ws = openWorkspace(workspacePath, { readonly: true });
  const got = (() => {
    try {
      const clustering = ws.analyses.clusterings(papers.run)[0];
      return Array.from(ws.analyses.clustering(clustering.id)!.clusters);
    } finally {
      ws.close();
    }
  })();
  // each cluster's caption names words of the topic most of its papers are about
  const entries = await legend.locator('li').allInnerTexts();
  const clusters = [...new Set(got)];
  assert.equal(entries.length, clusters.length);
  for (const c of clusters) {
    const members = got.flatMap((cc, k) => (cc === c ? [k] : []));
    const tally = [0, 0, 0, 0];
    for (const k of members) tally[blobOf(k)]++;
    const topic = topics[tally.indexOf(Math.max(...tally))];
    const entry = entries.find((e) => e.startsWith(`cluster ${c}\n`));
    assert.ok(entry, `cluster ${c} in the legend: ${entries.join(' | ')}`);
    assert.ok(
      topic.split(' ').some((word) => entry.includes(word)),
      `cluster ${c} (mostly "${topic}") is described as ${entry}`,
    );
    assert.match(entry, new RegExp(`\\s${members.length}$`));
  }
  // the labels are drawn into the view, so the PNG export carries them (the only ink that dark)
  assert.ok(pixelsOf(await exportedPng(), '#1f2430') > 50, 'cluster labels in the exported PNG');
  await page.waitForTimeout(300);
  await matchScreenshot(page, 'explorer-clusters', [page.locator('.workspace-name')]);
});

test('points sized by degree; the tooltip gives the degree', { skip }, async () => {
  await page.getByLabel('Size by').selectOption('degree');
  await page.getByLabel('Search by name').fill('paper 0');
  await page.locator('.autocomplete button').first().dispatchEvent('mousedown');
  await page.waitForTimeout(800);
  const { centre } = await plot();
  await page.mouse.move(centre.x - 3, centre.y);
  await page.mouse.move(centre.x, centre.y, { steps: 3 });
  const tooltip = page.getByTestId('tooltip');
  await tooltip.waitFor();
  assert.match(await textOf(tooltip), /paper 0[\s\S]*key p0[\s\S]*degree 5/);
});
