// The real UI in headless Chromium against serve mode on a temporary workspace: import through the
// wizard (a click log with mapped columns, the digits images, a small network) and see the
// statistics; rename and delete a dataset; the other recent workspaces on Home; a quick ViT on the
// digits with its curve and progress bar, cancelled, resumed and found in the history; two runs
// compared, re-run, exported and deleted in Runs; metapath2vec's live loss; a run paused by closing
// the app offered on the next start. Screenshots are compared with a tolerance (harness.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generateAcademicNetwork, writeFourAreaLayout } from '../../src/demo/academic-network.ts';
import { readDemoSpec } from '../../src/demo/spec.ts';
import { runImport } from '../../src/ingest/registry.ts';
import { sharedDataset } from '../../src/testing/shared-datasets.ts';
import { recentWorkspacesFile, rememberWorkspace } from '../../src/workspace/recent-workspaces.ts';
import { openWorkspace } from '../../src/workspace/workspace.ts';
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
  // a workspace the app opened before, in a settings folder of the test's own (serve inherits it)
  process.env.CONSTELLATION_CONFIG_DIR = join(dir, 'settings');
  const lab = openWorkspace(join(dir, 'lab.constellation'));
  try {
    writeFileSync(join(dir, 'visits.csv'), 'user,item,timestamp\nu1,a,1\nu1,b,2\nu2,a,3\nu3,b,4\n');
    await runImport(lab, { kind: 'interactions', name: 'visits', paths: [join(dir, 'visits.csv')] });
  } finally {
    lab.close();
  }
  rememberWorkspace(recentWorkspacesFile(), join(dir, 'lab.constellation'));
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
    page.getByTestId('recent-workspaces'),
  ]);
});

test('Home lists the recent workspaces with their datasets and says how to serve one', { skip }, async () => {
  await open('home');
  const lab = page.getByTestId('recent-workspaces').getByTestId('workspace-lab');
  await lab.waitFor();
  const text = await textOf(lab);
  assert.match(text, /visits\s+interactions\s+3 users · 2 items · 4 interactions/);
  assert.match(text, /0 runs/);
  assert.ok(text.includes(`constellation serve --workspace "${join(dir, 'lab.constellation')}"`), text);
  // the workspace this page serves is the page itself, not one of the others
  assert.equal(await page.getByTestId('recent-workspaces').getByTestId('workspace-e2e').count(), 0);
});

test('a dataset is renamed and deleted from its card on Home', { skip }, async () => {
  await open('home');
  const card = page.getByTestId('dataset-clicks');
  await card.getByRole('button', { name: 'Rename' }).click();
  await card.getByLabel('New name').fill('clickstream');
  await card.getByRole('button', { name: 'Save' }).click();
  const renamed = page.getByTestId('dataset-clickstream');
  assert.match(await textOf(renamed), /interactions\s+2,400/);
  assert.equal(await page.getByTestId('dataset-clicks').count(), 0);
  await renamed.getByRole('button', { name: 'Delete' }).click();
  const confirm = renamed.getByRole('dialog', { name: 'Confirm delete' });
  assert.match(await textOf(confirm), /Delete clickstream with its 0 runs/);
  await confirm.getByRole('button', { name: 'Delete clickstream' }).click();
  await renamed.waitFor({ state: 'detached' });
  assert.match(await textOf(page.locator('.page-head .muted')), / · 0 datasets · 0 runs/);
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

/** The Training view set for a quick ViT run on the digits that the test stops itself, or a time limit ends. */
async function chooseVitOnDigits(settings: Record<string, string>) {
  await open('train');
  await page.getByLabel('Dataset').selectOption('digits');
  await page.getByLabel('Model').selectOption('vit');
  // (once the catalogue has loaded) the image models, and no model of another kind of data
  assert.deepEqual(await page.getByLabel('Model').locator('option').allInnerTexts(), [
    'ViT',
    'SimCLR',
    'SimCLR v2',
  ]);
  assert.equal(await page.getByLabel('Preset').inputValue(), 'quick');
  await page.getByLabel('Device').selectOption('cpu');
  assert.match(await textOf(page.locator('.devices')), /cpu ✓/);
  // the form is generated from ViT's settings schema and filled from the preset
  assert.equal(await page.locator('#setting-hidden').inputValue(), '32');
  assert.equal(await page.locator('#setting-patch').inputValue(), '0');
  for (const [key, value] of Object.entries(settings)) await page.locator(`#setting-${key}`).fill(value);
}

const lossPointsAtLeast = (n: number) =>
  page.waitForFunction(
    (least) =>
      Number(document.querySelector('[data-testid="chart-loss"]')?.getAttribute('data-points')) >= least,
    n,
    { timeout: 120_000 },
  );

test('a quick ViT run on the digits shows its curve and progress, cancels, resumes and is in the history', {
  skip,
}, async (t) => {
  if (!sharedDataset(t, 'sklearn-digits')) return;
  // Far more epochs than the test lasts and no early stop: the run cannot end by itself before the
  // cancels land, however fast the machine (a time limit would be wall time, which the shared
  // machine's load eats).
  await chooseVitOnDigits({ epochs: '1000', patience: '1000' });
  await page.getByRole('button', { name: 'Start training' }).click();
  const live = page.getByTestId('training-live');
  // a failure here must not leave its 1000 epochs running under the next tests
  t.after(async () => {
    const cancel = live.getByRole('button', { name: 'Cancel' });
    if (await cancel.isVisible()) await cancel.click();
  });
  await live.waitFor();
  await lossPointsAtLeast(3);
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
  // validation passes show no rate or ETA; training steps do, and come back within the epoch
  await live.locator('.job-figures', { hasText: /\d+ images\/s[\s\S]*ETA \d/ }).waitFor({ timeout: 60_000 });
  assert.match(
    await textOf(live.locator('.log')),
    /training · epoch \d+ · step \d+ · loss \d+\.\d{4} · \d+ images\/s/,
  );
  await matchScreenshot(page, 'training', [
    live.locator('.charts'),
    live.locator('.log'),
    live.locator('.job-figures'),
    live.locator('.bar'),
    page.locator('.devices'),
  ]);

  await live.getByRole('button', { name: 'Cancel' }).click();
  await live.locator('.job-status', { hasText: 'cancelled' }).waitFor({ timeout: 60_000 });
  const run = /run (\d+)/.exec(await textOf(live.locator('h2')))?.[1];
  assert.ok(run, 'the live panel names its run');
  const pointsBefore = Number(await page.getByTestId('chart-loss').getAttribute('data-points'));
  await page.getByRole('button', { name: `Resume run ${run}` }).click();
  await live.locator('.job-status', { hasText: 'running' }).waitFor();
  await lossPointsAtLeast(pointsBefore + 1);
  await live.getByRole('button', { name: 'Cancel' }).click();
  await live.locator('.job-status', { hasText: 'cancelled' }).waitFor({ timeout: 60_000 });
  assert.match(await textOf(live.locator('.log')), /cancelled[\s\S]*resuming vit on digits[\s\S]*cancelled/);

  await open('runs');
  const row = page
    .getByTestId('runs-table')
    .locator('tbody tr', { has: page.getByLabel(`Select run ${run}`) });
  assert.match(await textOf(row), /vit\s+digits\s+cancelled\s+cpu/);
  await row.click();
  const detail = page.getByTestId('run-detail');
  assert.match(await textOf(detail.locator('h2')), new RegExp(`Run ${run} · vit on digits`));
  await detail.getByRole('button', { name: 'Resume from its checkpoint' }).waitFor();
  await row.click();
});

test('two runs compare side by side; a run re-runs with its config, exports its embeddings and is deleted', {
  skip,
}, async (t) => {
  if (!sharedDataset(t, 'sklearn-digits')) return;
  // a run that ends by its epochs: two, whatever the machine's speed, so two points per curve
  await chooseVitOnDigits({ epochs: '2' });
  await page.getByRole('button', { name: 'Start training' }).click();
  const live = page.getByTestId('training-live');
  const runOfLivePanel = async () => {
    await live.locator('.job-status', { hasText: 'done' }).waitFor({ timeout: 240_000 });
    return /run (\d+)/.exec(await textOf(live.locator('h2')))?.[1];
  };
  const original = await runOfLivePanel();
  assert.ok(original);

  await open('runs');
  const table = page.getByTestId('runs-table');
  assert.match(
    await textOf(table.locator('tbody tr', { has: page.getByLabel(`Select run ${original}`) })),
    /vit\s+digits\s+done\s+cpu/,
  );
  // the runs that ended by themselves: the earlier test's cancelled run is filtered out
  await page.getByLabel('Filter runs').fill('vit done');
  assert.match(await textOf(page.getByTestId('runs-shown')), /^1 (of \d+ runs|run)$/);
  await page.getByLabel(`Select run ${original}`).check();
  const detail = page.getByTestId('run-detail');
  await detail.getByTestId('chart-val/top1').waitFor();
  await matchScreenshot(page, 'runs', [
    page.getByTestId('runs-shown'),
    page.locator('.runs-table td:nth-child(7)'),
    page.locator('.runs-table td:nth-child(8)'),
    page.locator('.runs-table td:nth-child(9)'),
    // the settings are the test's; the metric values, the code version and the curves vary
    detail.locator('.detail-grid td.num'),
    detail.getByRole('row', { name: /code version/ }),
    detail.locator('.charts'),
  ]);
  await detail.getByRole('button', { name: 'Re-run with this config' }).click();

  // the Training view, filled with the run's settings
  assert.equal(await page.getByLabel('Dataset').inputValue(), 'digits');
  assert.equal(await page.getByLabel('Model').inputValue(), 'vit');
  assert.equal(await page.getByLabel('Device').inputValue(), 'cpu');
  for (const [key, value] of Object.entries({ epochs: '2', hidden: '32', lr: '0.003' })) {
    assert.equal(await page.locator(`#setting-${key}`).inputValue(), value, key);
  }
  await page.getByRole('button', { name: 'Start training' }).click();
  await live.locator('.job-status', { hasText: 'running' }).waitFor();
  const rerun = await runOfLivePanel();
  assert.ok(rerun && rerun !== original, 'the re-run is a new run');

  // both selected: their figures side by side, no setting differs, curves drawn together
  await open('runs');
  await page.getByLabel(`Select run ${original}`).check();
  await page.getByLabel(`Select run ${rerun}`).check();
  const compare = page.getByTestId('compare');
  await compare.waitFor();
  assert.match(await textOf(compare.locator('h2')), /Comparing 2 runs/);
  assert.deepEqual(
    (await compare.locator('thead th').allInnerTexts()).map((h) => h.trim()),
    ['metric', `run ${original} · vit`, `run ${rerun} · vit`],
  );
  assert.match(await textOf(compare.locator('tr', { hasText: 'test/top1' })), /test\/top1\s+0\.\d+\s+0\.\d+/);
  assert.equal(await compare.locator('.config-row').count(), 0, 'the same settings');
  const curve = compare.getByTestId('chart-val/top1');
  assert.match(await textOf(curve), new RegExp(`run ${original}[\\s\\S]*run ${rerun}`));
  assert.ok(Number(await curve.getAttribute('data-points')) >= 4, 'two curves of at least two epochs');

  // one selected: its detail exports the embeddings of every image
  await page.getByLabel(`Select run ${rerun}`).uncheck();
  await detail.waitFor();
  for (const [format, name] of [
    ['npy', 'digits-vit.npy'],
    ['tsv', 'digits-vit.tsv'],
  ]) {
    await detail.getByLabel('Embedding format').selectOption(format);
    await detail.getByLabel('Embeddings file').fill(join(dir, name));
    await detail.getByRole('button', { name: 'Export embeddings' }).click();
    await detail.locator('.ok', { hasText: name }).waitFor();
    assert.match(
      await textOf(detail.locator('.ok')),
      new RegExp(`Wrote 1797 vectors of 32 dimensions: ${join(dir, name)}`),
    );
  }
  const npy = readFileSync(join(dir, 'digits-vit.npy'));
  assert.equal(npy.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  assert.match(npy.subarray(10, 128).toString('latin1'), /'shape': \(1797, 32\)/);
  const rows = readFileSync(join(dir, 'digits-vit.tsv'), 'utf8').trim().split('\n');
  assert.equal(rows.length, 1797);
  assert.equal(rows[0].split('\t').length, 32);

  // the re-run deleted: gone from the table, the original kept
  await page.getByLabel(`Select run ${original}`).uncheck();
  await page.getByLabel(`Select run ${rerun}`).check();
  await detail.getByRole('button', { name: 'Delete run' }).click();
  await detail
    .getByRole('dialog', { name: 'Confirm delete' })
    .getByRole('button', { name: `Delete run ${rerun}` })
    .click();
  await page.getByLabel(`Select run ${rerun}`).waitFor({ state: 'detached' });
  assert.equal(await page.getByLabel(`Select run ${original}`).count(), 1);
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
}, async (t) => {
  if (!sharedDataset(t, 'sklearn-digits')) return;
  await chooseVitOnDigits({ epochs: '1000', patience: '1000' });
  await page.getByRole('button', { name: 'Start training' }).click();
  const live = page.getByTestId('training-live');
  await lossPointsAtLeast(1);
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
  assert.match(await textOf(offer), new RegExp(`Run ${run} · vit on digits`));
  await offer.getByRole('button', { name: `Resume run ${run}` }).click();
  await live.locator('.job-status', { hasText: 'running' }).waitFor();
  assert.match(await textOf(live.locator('h2')), new RegExp(`run ${run}\\b`));
  await lossPointsAtLeast(1);
  await live.getByRole('button', { name: 'Cancel' }).click();
  await live.locator('.job-status', { hasText: 'cancelled' }).waitFor({ timeout: 60_000 });
  await open('home');
  // the runs list the offer reads is refreshed after the job's end reaches the page: wait for it
  // to go (fails after the timeout if the run stays offered)
  await page.getByTestId('paused-runs').waitFor({ state: 'detached', timeout: 30_000 });
  assert.equal(await page.getByTestId('paused-runs').count(), 0);
});
