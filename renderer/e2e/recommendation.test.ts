// The recommendation view in headless Chromium against serve mode: a small watch log with episode
// titles (the demo's generator, shrunk), a popularity run and a one-epoch BERT4Rec run trained in
// this process before serve starts. The page must show a user's history, the same top-k as the
// `recommend` command and, for the BERT4Rec run, an item's nearest items by its embeddings.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { dispatch } from '../../src/api/dispatcher.ts';
import type { CommandOutput } from '../../src/api/index.ts';
import { readDemoSpec } from '../../src/demo/spec.ts';
import { generateWatchLog } from '../../src/demo/watch-log.ts';
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
const spec = { ...readDemoSpec().interactionLog, users: 80, genres: 4, seriesPerGenre: 4 };
const user = 'u3';
let dir: string;
let workspace: string;
let server: Served;
let browser: Browser;
let page: Page;
let popularity: number;
let bert4rec: number;
let history: CommandOutput<'interactions.history'>;

/** The watch log with each episode's title as its item label. */
function importWatchLog() {
  const log = generateWatchLog(spec, 7);
  const ws = openWorkspace(workspace);
  try {
    const session = ws.beginImport({
      name: 'watch',
      kind: 'interactions',
      source: { format: 'test', paths: [] },
    });
    session.entityType('user');
    session.addEntities(
      'item',
      log.items.map((item) => ({ key: `i${item.id}`, label: item.title })),
    );
    session.relationType('interacted', 'user', 'item');
    const users = log.interactions.map((i) => session.ensureEntity('user', `u${i.user}`));
    const items = log.interactions.map((i) => session.entityId('item', `i${i.item}`)!);
    session.addRelations(
      'interacted',
      users,
      items,
      log.interactions.map((i) => i.time),
    );
    session.commit();
  } finally {
    ws.close();
  }
}

before(async () => {
  if (skip) return;
  buildRenderer();
  dir = mkdtempSync(join(tmpdir(), 'constellation-recommend-'));
  workspace = join(dir, 'e2e.constellation');
  importWatchLog();
  popularity = (await dispatch('train.bert4rec', { dataset: 'watch', baseline: 'popularity' }, { workspace }))
    .run;
  bert4rec = (
    await dispatch(
      'train.bert4rec',
      { dataset: 'watch', preset: 'quick', settings: { epochs: 1 }, device: 'cpu' },
      { workspace },
    )
  ).run;
  history = await dispatch('interactions.history', { run: popularity, user }, { workspace });
  ({ server, browser, page } = await openApp(workspace));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function chooseUser(key: string) {
  await page.getByLabel('Find a user').fill(key);
  await page.locator('.autocomplete button').first().dispatchEvent('mousedown');
  await page.getByTestId('user').getByText(`user ${key}`).waitFor();
}

/** The item names of a panel's list, in order. */
async function itemsIn(testId: string): Promise<string[]> {
  return page.getByTestId(testId).locator('li .recview-item').allInnerTexts();
}

test("a popularity run: the user's history as a timeline and the run's top 10", { skip }, async () => {
  const expected = await dispatch('recommend', { run: popularity, user, k: 10 }, { workspace });
  await page.locator('a.nav[href="#/recommend"]').click();
  await page.getByLabel('Run').selectOption({ label: `#${popularity} popularity on watch` });
  await chooseUser(user);
  await page.locator('[data-testid="recommendations"] li').nth(9).waitFor();
  assert.ok(history.total > 5 && history.total <= 200, `${history.total} interactions`);
  assert.deepEqual(
    await itemsIn('history'),
    history.items.map((h) => h.label),
  );
  const first = new Date(history.items[0].time! * 1000).toISOString().slice(0, 16).replace('T', ' ');
  assert.match(
    await textOf(page.getByTestId('history')),
    new RegExp(`${history.total} interactions[\\s\\S]*${first} UTC`),
  );
  assert.deepEqual(
    await itemsIn('recommendations'),
    expected.recommendations.map((r) => r.label),
  );
  assert.match(
    await textOf(page.getByTestId('recommendations')),
    new RegExp(expected.recommendations[0].score.toFixed(4)),
  );
  await page.getByTestId('recommendations').locator('.recview-item').first().click();
  await page
    .getByTestId('nearest')
    .getByText(/has no item embeddings/)
    .waitFor();
  await matchScreenshot(page, 'recommendation', [page.locator('.workspace-name')]);
});

test("a BERT4Rec run: its own top 10 and a clicked item's nearest items by its embeddings", {
  skip,
}, async () => {
  const expected = await dispatch('recommend', { run: bert4rec, user, k: 10 }, { workspace });
  await page.getByLabel('Run').selectOption({ label: `#${bert4rec} bert4rec on watch` });
  await chooseUser(user);
  await page.locator('[data-testid="recommendations"] li').nth(9).waitFor();
  assert.deepEqual(
    await itemsIn('recommendations'),
    expected.recommendations.map((r) => r.label),
  );
  const clicked = history.items[history.items.length - 1];
  const nearest = await dispatch(
    'neighbours.query',
    { run: bert4rec, entity: clicked.item, entityType: 'item', k: 10 },
    { workspace },
  );
  await page.getByTestId('history').locator('.recview-item').last().click();
  await page.locator('[data-testid="nearest"] li').nth(9).waitFor();
  assert.match(await textOf(page.getByTestId('nearest')), new RegExp(`Nearest to ${clicked.label}`));
  assert.deepEqual(
    await itemsIn('nearest'),
    nearest.neighbours.map((n) => n.label),
  );
});
