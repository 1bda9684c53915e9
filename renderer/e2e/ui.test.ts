// The real UI in headless Chromium against serve mode on a temporary workspace: import through the
// wizard, see the statistics, train, watch the curve and the progress bar, pause, resume, cancel,
// and find the run in the history. Screenshots are compared with a tolerance (harness.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generateAcademicNetwork, writeFourAreaLayout } from '../../src/demo/academic-network.ts';
import { readDemoSpec } from '../../src/demo/spec.ts';
import { sharedDataset } from '../../src/testing/shared-datasets.ts';
import {
  buildRenderer,
  chromiumAvailable,
  launchBrowser,
  matchScreenshot,
  type Served,
  serve,
  textOf,
} from './harness.ts';

const skip = chromiumAvailable() ? false : 'skipped: /usr/bin/chromium is absent (apt-get install chromium)';
let dir: string;
let server: Served;
let browser: Browser;
let page: Page;

/** A click log whose columns the importer cannot guess: the wizard's mapping has to say them. */
function clickLog(path: string, users: number, items: number, perUser: number) {
  const lines = ['when;visitor;product'];
  let seed = 11;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let u = 0; u < users; u++) {
    let item = Math.floor(random() * items);
    for (let k = 0; k < perUser; k++) {
      item = (item + 1 + Math.floor(random() * 3)) % items;
      lines.push(`${1_600_000_000 + k * 60};v${u};p${item}`);
    }
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

before(async () => {
  if (skip) return;
  buildRenderer();
  dir = mkdtempSync(join(tmpdir(), 'constellation-ui-'));
  clickLog(join(dir, 'clicks.csv'), 150, 50, 16);
  writeFileSync(join(dir, 'broken.csv'), 'user,item,timestamp\nu1,i1,10\nu2,i2,11\nu3,i3\n');
  // the demo's academic network, shrunk: a metapath2vec run of a few seconds
  const spec = readDemoSpec();
  const academic = join(dir, 'academic');
  mkdirSync(academic);
  await writeFourAreaLayout(
    generateAcademicNetwork(
      { ...spec.academicNetwork, authorsPerArea: 40, papersPerArea: 60, termsPerArea: 15, sharedTerms: 8 },
      spec.seed,
    ),
    academic,
  );
  server = await serve(join(dir, 'e2e.constellation'));
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  // worker threads start slowly on a loaded 2-core machine (each compiles its modules)
  page.setDefaultTimeout(90_000);
  await page.goto(server.url);
  await page.getByText('connected', { exact: true }).waitFor();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(view: string) {
  await page.locator(`a.nav[href="#/${view}"]`).click();
}

async function preview(kind: string, path: string) {
  await open('import');
  await page.getByRole('radio', { name: new RegExp(kind) }).click();
  await page.locator('#import-paths').fill(path);
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByTestId('preview').waitFor();
}

test('the wizard shows a bad row with its file and line before importing', { skip }, async () => {
  await preview('Interaction log', join(dir, 'broken.csv'));
  const errors = page.getByTestId('validation-errors');
  await errors.waitFor();
  assert.match(await textOf(errors), /broken\.csv:4.*expected 3 fields/s);
  assert.equal(await page.getByRole('button', { name: 'Import' }).count(), 0);
});

test('an interaction log imports through the wizard with its columns mapped', { skip }, async () => {
  await preview('Interaction log', join(dir, 'clicks.csv'));
  const file = page.locator('.preview-file');
  assert.match(await textOf(file), /delimiter ";" · 3 columns · header row/);
  assert.match(await textOf(file), /when\s+visitor\s+product/);
  // guessed by position, "when" would be the user: the mapping says otherwise
  await page.getByLabel('user column').selectOption({ label: 'visitor' });
  await page.getByLabel('time column').selectOption({ label: 'when' });
  await page.getByLabel('item column').selectOption({ label: 'product' });
  // each mapping change previews again; the last one must read the rows without error
  await page.getByRole('button', { name: 'Preview' }).waitFor();
  assert.match(await textOf(page.getByTestId('validation-ok')), /rows read without error/);
  await page.getByLabel('Dataset name').fill('clicks');
  await matchScreenshot(page, 'import-preview', [
    page.locator('.preview-file code'),
    page.locator('.workspace-name'),
  ]);
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByText('See it on Home').click();
  const card = page.getByTestId('dataset-clicks');
  await card.waitFor();
  const text = await textOf(card);
  assert.match(text, /users\s+150/);
  assert.match(text, /items\s+50/);
  assert.match(text, /interactions\s+2,400/);
  assert.match(text, /sequence length\s+16–16/);
  await card.getByRole('button', { name: 'Sample rows' }).click();
  await card.locator('.sample table').first().waitFor();
  assert.match(await textOf(card.locator('.sample')), /v0/);
  await matchScreenshot(page, 'home', [
    page.locator('.page-head .muted'),
    page.locator('.card .small.muted'),
  ]);
});

test('the digits images import through the wizard and show their classes', { skip }, async (t) => {
  const digits = sharedDataset(t, 'sklearn-digits');
  if (!digits) return;
  await preview('Images', join(digits, 'digits.csv.gz'));
  await page.getByTestId('validation-ok').waitFor();
  assert.match(await textOf(page.getByTestId('preview')), /Format digits-csv/);
  await page.getByLabel('Dataset name').fill('digits');
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByText('See it on Home').click();
  const card = page.getByTestId('dataset-digits');
  await card.waitFor();
  const text = await textOf(card);
  assert.match(text, /1,797 images · 8×8/i);
  assert.match(text, /Classes \(10\)/i);
});

test('a training run shows its curve and progress, pauses, resumes, cancels and is in the history', {
  skip,
}, async () => {
  await open('train');
  await page.getByLabel('Dataset').selectOption('clicks');
  await page.getByLabel('Model').selectOption('bert4rec');
  await page.getByLabel('Device').selectOption('cpu');
  assert.match(await textOf(page.locator('.devices')), /cpu ✓/);
  // Far more epochs than the test lasts and no early stop: the run cannot end by itself before
  // Pause and Cancel land, however fast the machine.
  for (const [key, value] of Object.entries({
    epochs: '1000',
    patience: '1000',
    batch_size: '16',
    hidden: '16',
    val_users: '50',
  })) {
    await page.locator(`#setting-${key}`).fill(value);
  }
  await page.getByRole('button', { name: 'Start training' }).click();
  const live = page.getByTestId('training-live');
  await live.waitFor();
  // the loss curve gets points and the bar moves
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-points')) >= 3,
    null,
    { timeout: 120_000 },
  );
  const bar = live.getByRole('progressbar');
  const first = Number(await bar.getAttribute('aria-valuenow'));
  await page.waitForFunction(
    (before) =>
      Number(
        document
          .querySelector('[data-testid="training-live"] [role="progressbar"]')
          ?.getAttribute('aria-valuenow'),
      ) > before,
    first,
    { timeout: 60_000 },
  );
  await matchScreenshot(page, 'training', [
    live.locator('.charts'),
    live.locator('.log'),
    live.locator('.job-figures'),
    live.locator('.bar'),
    page.locator('.devices'),
  ]);

  await page.getByRole('button', { name: 'Pause' }).click();
  await live.locator('.job-status', { hasText: 'paused' }).waitFor({ timeout: 60_000 });
  const resume = page.getByRole('button', { name: /Resume run \d+/ });
  await resume.waitFor();
  const pointsBefore = Number(await page.getByTestId('chart-loss').getAttribute('data-points'));
  await resume.click();
  await live.locator('.job-status', { hasText: 'running' }).waitFor();
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-points')) > n,
    pointsBefore,
    { timeout: 120_000 },
  );
  await live.getByRole('button', { name: 'Cancel' }).click();
  await live.locator('.job-status', { hasText: 'cancelled' }).waitFor({ timeout: 60_000 });
  assert.match(await textOf(live.locator('.log')), /resuming bert4rec on clicks[\s\S]*cancelled/);

  await open('runs');
  const row = page.getByTestId('runs-table').locator('tbody tr').first();
  await row.waitFor();
  assert.match(await textOf(row), /bert4rec\s+clicks\s+cancelled\s+cpu/);
  await row.click();
  const detail = page.getByTestId('run-detail');
  await detail.waitFor();
  assert.match(await textOf(detail), /Re-run with this config/);
  await detail.locator('[data-testid="chart-train/loss"], [data-testid^="chart-val/"]').first().waitFor();
  await matchScreenshot(page, 'runs', [
    page.locator('.runs-table td:nth-child(7)'),
    page.locator('.runs-table td:nth-child(8)'),
    page.locator('.runs-table td:nth-child(9)'),
    detail.locator('.detail-grid'),
    detail.locator('.charts'),
  ]);
});

test('a metapath2vec run draws its loss curve live and keeps it with the run', { skip }, async () => {
  await preview('Network', join(dir, 'academic'));
  await page.getByTestId('validation-ok').waitFor();
  await page.getByLabel('Dataset name').fill('academic');
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByText('See it on Home').click();
  await page.getByTestId('dataset-academic').waitFor();

  await open('train');
  await page.getByLabel('Dataset').selectOption('academic');
  await page.getByLabel('Model').selectOption('metapath2vec');
  await page.getByLabel('Device').selectOption('cpu');
  await page.getByLabel('Meta-paths').fill('author-paper-conf-paper-author');
  // about 3 M pairs: enough that the 100 ms progress reports close several of the curve's points
  for (const [key, value] of Object.entries({ epochs: '5', dim: '16' })) {
    await page.locator(`#setting-${key}`).fill(value);
  }
  await page.getByRole('button', { name: 'Start training' }).click();
  const live = page.getByTestId('training-live');
  await live.locator('.job-status', { hasText: 'done' }).waitFor({ timeout: 300_000 });
  assert.ok(Number(await page.getByTestId('chart-loss').getAttribute('data-points')) >= 2);
  assert.match(await textOf(live.locator('.log')), /training · loss \d+\.\d{4}/);

  await open('runs');
  const row = page.getByTestId('runs-table').locator('tbody tr').first();
  assert.match(await textOf(row), /metapath2vec\s+academic\s+done\s+cpu/);
  await row.click();
  const curve = page.getByTestId('run-detail').getByTestId('chart-train/loss');
  await curve.waitFor();
  assert.ok(Number(await curve.getAttribute('data-points')) >= 2);
});

test('a run paused as the app closed is offered on the next start and resumes from there', {
  skip,
}, async () => {
  await open('train');
  await page.getByLabel('Dataset').selectOption('clicks');
  await page.getByLabel('Model').selectOption('bert4rec');
  await page.getByLabel('Device').selectOption('cpu');
  for (const [key, value] of Object.entries({
    epochs: '1000',
    patience: '1000',
    batch_size: '16',
    hidden: '16',
    val_users: '50',
  })) {
    await page.locator(`#setting-${key}`).fill(value);
  }
  await page.getByRole('button', { name: 'Start training' }).click();
  const live = page.getByTestId('training-live');
  const lossPoints = (n: number) =>
    page.waitForFunction(
      (least) =>
        Number(document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-points')) >= least,
      n,
      { timeout: 120_000 },
    );
  await lossPoints(1);
  // what quitting the app does to a training run (electron/app.ts, serve mode's Ctrl-C): pause it
  await page.getByRole('button', { name: 'Pause' }).click();
  await live.locator('.job-status', { hasText: 'paused' }).waitFor({ timeout: 60_000 });
  const run = /run (\d+)/.exec(await textOf(live.locator('h2')))?.[1];
  assert.ok(run, 'the live panel names its run');

  // a new start of the UI: nothing of the session survives, only the workspace
  await page.reload();
  await page.getByText('connected', { exact: true }).waitFor();
  await open('home');
  const offer = page.getByTestId('paused-runs');
  assert.match(await textOf(offer), new RegExp(`Run ${run} · bert4rec on clicks`));
  await offer.getByRole('button', { name: `Resume run ${run}` }).click();
  await live.locator('.job-status', { hasText: 'running' }).waitFor();
  assert.match(await textOf(live.locator('h2')), new RegExp(`run ${run}\\b`));
  await lossPoints(1);
  await live.getByRole('button', { name: 'Cancel' }).click();
  await live.locator('.job-status', { hasText: 'cancelled' }).waitFor({ timeout: 60_000 });
  await open('home');
  assert.equal(await page.getByTestId('paused-runs').count(), 0);
});
