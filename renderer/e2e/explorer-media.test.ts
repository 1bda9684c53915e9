// The explorer's tooltip on image and video datasets, in headless Chromium against serve mode: a
// workspace with six small greyscale images and four RGB clips, each dataset with a run whose
// vectors are written directly (points on a circle, so PCA keeps them apart). Hovering a point shows
// its own image (a clip's first frame) at its stored size, asked for once however often it is hovered.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openWorkspace } from '../../src/workspace/workspace.ts';
import { buildRenderer, chromiumAvailable, openApp, type Served, textOf } from './harness.ts';

const skip = chromiumAvailable() ? false : 'skipped: /usr/bin/chromium is absent (apt-get install chromium)';
const images = 6;
const clips = 4;
/** the grey of every pixel of image i */
const greyOf = (i: number) => 20 + 35 * i;
/** the colour of frame f of clip c: the first frame tells the clips apart, the others do not */
const clipColour = (c: number, f: number) => (f === 0 ? [40 + 50 * c, 200 - 40 * c, 90] : [255, 255, 255]);

let dir: string;
let server: Served;
let browser: Browser;
let page: Page;
const runs = { images: 0, clips: 0 };
/** media.thumbnail requests the page sent */
const asked: number[] = [];

/** Vectors of n points on a circle, growing a little with i, in 3 dimensions. */
function circle(n: number): Float32Array {
  const vectors = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const r = 1 + 0.1 * i;
    vectors.set([r * Math.cos((2 * Math.PI * i) / n), r * Math.sin((2 * Math.PI * i) / n), 0.05 * i], 3 * i);
  }
  return vectors;
}

function makeWorkspace(path: string): void {
  const ws = openWorkspace(path);
  try {
    const run = (datasetId: number, type: string, model: string, n: number) => {
      const id = ws.runs.create({
        datasetId,
        model,
        config: {},
        seed: 0,
        device: 'cpu',
        codeVersion: 'test',
      }).id;
      const entityIds = ws.entities.ids(ws.entities.type(datasetId, type)!.id);
      ws.embeddings.put(id, { entityIds, dim: 3, vectors: circle(n) });
      return id;
    };
    const glyphs = ws.beginImport({ name: 'glyphs', kind: 'images', source: { format: 'test', paths: [] } });
    const imageKeys = Array.from({ length: images }, (_, i) => `img-${i}`);
    glyphs.addEntities(
      'image',
      imageKeys.map((key, i) => ({ key, classLabel: `shade${i % 2}` })),
    );
    glyphs.addMedia(
      'image',
      imageKeys.map((key, i) => ({
        key,
        bytes: new Uint8Array(12 * 10).fill(greyOf(i)),
        encoding: 'raw-u8' as const,
        width: 12,
        height: 10,
        channels: 1,
        frames: 1,
      })),
    );
    runs.images = run(glyphs.commit().id, 'image', 'simclr', images);

    const waves = ws.beginImport({ name: 'waves', kind: 'videos', source: { format: 'test', paths: [] } });
    const clipKeys = Array.from({ length: clips }, (_, c) => `clip-${c}`);
    waves.addEntities(
      'clip',
      clipKeys.map((key) => ({ key })),
    );
    waves.addMedia(
      'clip',
      clipKeys.map((key, c) => {
        const bytes = new Uint8Array(3 * 8 * 6 * 3);
        for (let f = 0; f < 3; f++)
          for (let p = 0; p < 8 * 6; p++) bytes.set(clipColour(c, f), (f * 48 + p) * 3);
        return { key, bytes, encoding: 'raw-u8' as const, width: 8, height: 6, channels: 3, frames: 3 };
      }),
    );
    runs.clips = run(waves.commit().id, 'clip', 'vivit', clips);
  } finally {
    ws.close();
  }
}

before(async () => {
  if (skip) return;
  buildRenderer();
  dir = mkdtempSync(join(tmpdir(), 'constellation-explorer-media-'));
  makeWorkspace(join(dir, 'e2e.constellation'));
  ({ server, browser, page } = await openApp(join(dir, 'e2e.constellation')));
  page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { command?: string; input?: { entity: number } };
      if (frame.command === 'media.thumbnail') asked.push(frame.input!.entity);
    }),
  );
  // the page's socket opened before anyone listened: a reload opens the one the test watches
  await page.reload();
  await page.getByText('connected', { exact: true }).waitFor();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Searches the key, goes to its point (then under the plot's centre) and hovers it. */
async function hover(key: string) {
  await page.getByLabel('Search by name').fill(key);
  await page.locator('.autocomplete button').first().dispatchEvent('mousedown');
  await page.waitForTimeout(800);
  const box = (await page.getByTestId('scatter').boundingBox())!;
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.mouse.move(box.x + 5, box.y + 5);
  await page.getByTestId('tooltip').waitFor({ state: 'detached' });
  await page.mouse.move(centre.x - 3, centre.y);
  await page.mouse.move(centre.x, centre.y, { steps: 3 });
  return page.getByTestId('tooltip').locator('img');
}

/** The picture as drawn from its own pixels: natural size and the RGB of its centre pixel. */
function pictureOf(img: Awaited<ReturnType<typeof hover>>) {
  return img.evaluate((element: HTMLImageElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = element.naturalWidth;
    canvas.height = element.naturalHeight;
    const context = canvas.getContext('2d')!;
    context.drawImage(element, 0, 0);
    const [r, g, b] = context.getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data;
    return { width: element.naturalWidth, height: element.naturalHeight, rgb: [r, g, b] };
  });
}

test("hovering an image's point shows that image at its size, asked for once", { skip }, async () => {
  await page.locator('a.nav[href="#/explore"]').click();
  // the explorer first projects a run of its own choice; the run list is locked until it is drawn
  await page.getByTestId('scatter').waitFor();
  await page.getByLabel('Run').selectOption(String(runs.images));
  await page.locator(`[data-testid="scatter"][data-points="${images}"]`).waitFor();

  const img = await hover('img-3');
  await img.waitFor();
  assert.equal(await img.getAttribute('alt'), 'img-3');
  assert.deepEqual(await pictureOf(img), { width: 12, height: 10, rgb: [greyOf(3), greyOf(3), greyOf(3)] });
  // a 12 x 10 image is drawn 96 pixels wide, its aspect kept
  const shown = (await img.boundingBox())!;
  assert.deepEqual([Math.round(shown.width), Math.round(shown.height)], [96, 80]);
  assert.match(await textOf(page.getByTestId('tooltip')), /img-3[\s\S]*type image[\s\S]*class shade1/);

  // another image, then the first again: its picture comes from the page's cache
  const other = await hover('img-4');
  await other.waitFor();
  assert.deepEqual((await pictureOf(other)).rgb, [greyOf(4), greyOf(4), greyOf(4)]);
  const again = await hover('img-3');
  await again.waitFor();
  assert.equal(await again.getAttribute('alt'), 'img-3');
  const imageIds = asked.slice();
  assert.equal(imageIds.length, 2, `media.thumbnail asked for entities ${imageIds.join(', ')}`);
});

test("hovering a clip's point shows its first frame", { skip }, async () => {
  await page.getByLabel('Run').selectOption(String(runs.clips));
  await page.locator(`[data-testid="scatter"][data-points="${clips}"]`).waitFor();
  const img = await hover('clip-2');
  await img.waitFor();
  assert.equal(await img.getAttribute('alt'), 'clip-2');
  assert.deepEqual(await pictureOf(img), { width: 8, height: 6, rgb: clipColour(2, 0) });
  assert.match(await textOf(page.getByTestId('tooltip')), /8×6 · first of 3 frames/);
});
