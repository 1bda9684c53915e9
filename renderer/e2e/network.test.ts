// The network view in headless Chromium against serve mode: a small academic network (the demo's
// generator, shrunk) is imported before serve starts. The view draws its sample with the node and
// relation counts the API gives, finds a venue, shows its details on a click, says its neighbours
// were capped, expands it, filters a type from the legend and exports the rest as GEXF.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { dispatch } from '../../src/api/dispatcher.ts';
import type { CommandOutput } from '../../src/api/index.ts';
import { generateAcademicNetwork, writeFourAreaLayout } from '../../src/demo/academic-network.ts';
import { readDemoSpec } from '../../src/demo/spec.ts';
import { runImport } from '../../src/ingest/registry.ts';
import { openWorkspace } from '../../src/workspace/workspace.ts';
import {
  buildRenderer,
  chromiumAvailable,
  matchScreenshot,
  openApp,
  type Served,
  textOf,
} from './harness.ts';

const skip = chromiumAvailable() ? false : 'skipped: /usr/bin/chromium is absent (apt-get install chromium)';
const spec = readDemoSpec().academicNetwork;
const small = { ...spec, authorsPerArea: 40, papersPerArea: 60, termsPerArea: 15, sharedTerms: 8 };
let dir: string;
let workspace: string;
let server: Served;
let browser: Browser;
let page: Page;
let sample: CommandOutput<'network.sample'>;
let hub: CommandOutput<'network.node'>;

before(async () => {
  if (skip) return;
  buildRenderer();
  dir = mkdtempSync(join(tmpdir(), 'constellation-network-'));
  workspace = join(dir, 'e2e.constellation');
  const files = join(dir, 'academic');
  mkdirSync(files);
  await writeFourAreaLayout(generateAcademicNetwork(small, 7), files);
  const ws = openWorkspace(workspace);
  try {
    await runImport(ws, { kind: 'network', paths: [files], name: 'academic', format: 'dblp-four-area' });
  } finally {
    ws.close();
  }
  // what the page must show, asked of the same commands in this process
  sample = await dispatch('network.sample', { dataset: 'academic', nodes: 200, seed: 1 }, { workspace });
  // the venue with the most papers (venue labels are D-1, DM-2...)
  const venues = await dispatch(
    'entities.search',
    { dataset: 'academic', query: '-', type: 'conf', limit: 100 },
    { workspace },
  );
  const busiest = venues.matches.reduce((a, b) => (b.degree > a.degree ? b : a));
  hub = await dispatch('network.node', { dataset: 'academic', node: busiest.id }, { workspace });
  ({ server, browser, page } = await openApp(workspace));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const network = () => page.getByTestId('network');

/** Waits until the canvas holds `nodes` nodes and ForceAtlas2 has finished its iterations. */
async function settled(nodes: number) {
  await page.locator(`[data-testid="network"][data-nodes="${nodes}"][data-layout="done"]`).waitFor();
}

test('the network view draws a sample with its nodes and relations, coloured by type', { skip }, async () => {
  await page.locator('a.nav[href="#/network"]').click();
  await settled(sample.nodes.length);
  assert.equal(Number(await network().getAttribute('data-edges')), sample.edges.length);
  assert.ok(sample.edges.length > 100, `${sample.edges.length} relations in the sample`);
  const legend = await textOf(page.getByTestId('network-legend'));
  for (const type of ['author', 'paper', 'conf', 'term']) {
    const count = sample.nodes.filter((n) => n.type === type).length;
    assert.match(legend, new RegExp(`${type}\\s+${count}`), legend);
  }
  assert.match(
    await textOf(page.getByTestId('network-summary')),
    new RegExp(`200 nodes · ${sample.edges.length} relations · a sample of ${sample.total_nodes} nodes`),
  );
  await matchScreenshot(page, 'network-sample', [page.locator('.workspace-name')]);
});

test('a searched venue: capped neighbours said so, details on a click, expand adds neighbours', {
  skip,
}, async () => {
  const venue = hub.label!;
  assert.ok(hub.degree > 10, `${venue} has ${hub.degree} papers`);
  await page.getByLabel('neighbours per expansion').fill('5');
  await page.getByLabel('Find a node').fill(venue);
  await page.locator('.autocomplete button').first().dispatchEvent('mousedown');
  await settled(6);
  assert.equal(Number(await network().getAttribute('data-edges')), 5);
  assert.match(
    await textOf(page.getByTestId('capped')),
    new RegExp(`${venue} has ${hub.degree} neighbours: 5 drawn .* ${hub.degree - 5} left out`),
  );
  // the camera centres on the venue once the layout settles: a click there selects it
  await page.waitForTimeout(600);
  const box = (await network().boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const details = page.getByTestId('node-details');
  // the panel opens at once; degrees per relation follow with network.node's answer
  await details.locator('.netview-degrees').waitFor();
  const text = await textOf(details);
  assert.match(text, new RegExp(`key\\s+${hub.key}`));
  assert.match(text, /type\s+conf/);
  assert.match(text, new RegExp(`degree\\s+${hub.degree}`));
  for (const r of hub.relations)
    assert.match(text, new RegExp(`${r.relation} [←→] ${r.other}\\s+${r.count}`));
  assert.match(text, new RegExp(`5 of ${hub.degree} neighbours shown`));

  await details.getByRole('button', { name: 'Expand' }).click();
  await settled(11);
  assert.equal(Number(await network().getAttribute('data-edges')), 10);
  assert.match(
    await textOf(page.getByTestId('capped')),
    new RegExp(`10 drawn .* ${hub.degree - 10} left out`),
  );
});

test('a type hidden from the legend is left out of the GEXF export', { skip }, async () => {
  await page.getByRole('button', { name: /^conf/ }).click();
  assert.equal(await page.getByRole('button', { name: /^conf/ }).getAttribute('aria-pressed'), 'false');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export GEXF' }).click();
  const file = await (await download).path();
  const gexf = readFileSync(file, 'utf8');
  // the ten papers stay, the venue is filtered out, and so is every relation to it
  assert.equal(gexf.match(/<node /g)?.length, 10);
  assert.equal(gexf.match(/<edge /g)?.length ?? 0, 0);
  assert.match(gexf, /<gexf xmlns="http:\/\/gexf.net\/1.3"/);
});
