// media.thumbnail through the dispatcher on a real workspace: a small raw greyscale image keeps its
// size and pixels, a large PNG is scaled within 128 pixels, a small JPEG is served as stored, a raw
// clip shows its first frame, and an entity without media is refused by name.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { openWorkspace } from '../../workspace/workspace.ts';
import { dispatch } from '../dispatcher.ts';
import type { ApiError } from '../schema/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'media-api-'));
const workspace = join(dir, 'w.constellation');
const ids: Record<string, number> = {};

/** A 12 x 10 greyscale image whose pixel (x, y) is 10 x + y + seed. */
function greyPixels(seed: number): Uint8Array {
  return Uint8Array.from({ length: 12 * 10 }, (_, p) => 10 * (p % 12) + Math.floor(p / 12) + seed);
}

/** Frame f of an 8 x 6 RGB clip: one flat colour per frame. */
const frameColour = (f: number) => [200 - 80 * f, 40 + 80 * f, 30];

async function decoded(url: string) {
  const [head, body] = url.split(',');
  const image = sharp(Buffer.from(body, 'base64'));
  const { channels } = await image.metadata();
  // sharp's raw output is RGB unless told to keep one channel
  const { data, info } = await (channels === 1 ? image.toColourspace('b-w') : image)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { mime: head.slice('data:'.length, head.indexOf(';')), data, info };
}

before(async () => {
  const ws = openWorkspace(workspace);
  const big = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } })
    .jpeg()
    .toBuffer();
  const images = ws.beginImport({ name: 'pictures', kind: 'images', source: { format: 'test', paths: [] } });
  images.addEntities('image', [{ key: 'grey' }, { key: 'big' }, { key: 'photo' }]);
  images.addMedia('image', [
    { key: 'grey', bytes: greyPixels(5), encoding: 'raw-u8', width: 12, height: 10, channels: 1, frames: 1 },
    { key: 'big', bytes: big, encoding: 'png', width: 300, height: 200, channels: 3, frames: 1 },
    { key: 'photo', bytes: jpeg, encoding: 'jpeg', width: 40, height: 30, channels: 3, frames: 1 },
  ]);
  const pictures = images.commit();
  const clip = new Uint8Array(3 * 8 * 6 * 3);
  for (let f = 0; f < 3; f++) for (let p = 0; p < 8 * 6; p++) clip.set(frameColour(f), (f * 8 * 6 + p) * 3);
  const videos = ws.beginImport({ name: 'clips', kind: 'videos', source: { format: 'test', paths: [] } });
  videos.addEntities('clip', [{ key: 'wave' }]);
  videos.addMedia('clip', [
    { key: 'wave', bytes: clip, encoding: 'raw-u8', width: 8, height: 6, channels: 3, frames: 3 },
  ]);
  const clips = videos.commit();
  const network = ws.beginImport({ name: 'net', kind: 'network', source: { format: 'test', paths: [] } });
  network.addEntities('paper', [{ key: 'p' }]);
  const net = network.commit();
  for (const [dataset, type] of [
    [pictures.id, 'image'],
    [clips.id, 'clip'],
    [net.id, 'paper'],
  ] as const) {
    const typeId = ws.entities.type(dataset, type)!.id;
    for (const key of ws.entities.keys(typeId)) ids[key] = ws.entities.byKey(typeId, key)!.id;
  }
  ws.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a small raw greyscale image comes back as a PNG of its own size and pixels', async () => {
  const thumbnail = await dispatch('media.thumbnail', { entity: ids.grey }, { workspace });
  assert.equal(thumbnail.key, 'grey');
  assert.deepEqual([thumbnail.width, thumbnail.height], [12, 10]);
  assert.deepEqual(thumbnail.source, { width: 12, height: 10, frames: 1 });
  const { mime, data, info } = await decoded(thumbnail.url);
  assert.equal(mime, 'image/png');
  assert.equal(info.channels, 1);
  assert.deepEqual(Uint8Array.from(data), greyPixels(5));
});

test('a large image is scaled within 128 pixels, aspect kept; a small JPEG is served as stored', async () => {
  const big = await dispatch('media.thumbnail', { entity: ids.big }, { workspace });
  assert.deepEqual([big.width, big.height], [128, 85]);
  const scaled = await decoded(big.url);
  assert.deepEqual([scaled.info.width, scaled.info.height], [128, 85]);
  assert.deepEqual([...scaled.data.subarray(0, 3)], [0x33, 0x66, 0xcc]);
  const photo = await dispatch('media.thumbnail', { entity: ids.photo }, { workspace });
  assert.match(photo.url, /^data:image\/jpeg;base64,\/9j\//);
  assert.deepEqual([photo.width, photo.height], [40, 30]);
});

test("a clip's thumbnail is its first frame", async () => {
  const thumbnail = await dispatch('media.thumbnail', { entity: ids.wave }, { workspace });
  assert.deepEqual(thumbnail.source, { width: 8, height: 6, frames: 3 });
  const { data, info } = await decoded(thumbnail.url);
  assert.deepEqual([info.width, info.height, info.channels], [8, 6, 3]);
  for (let p = 0; p < 8 * 6; p++) assert.deepEqual([...data.subarray(3 * p, 3 * p + 3)], frameColour(0));
});

test('an entity without an image or clip is refused by its id', async () => {
  await assert.rejects(dispatch('media.thumbnail', { entity: ids.p }, { workspace }), (e: ApiError) => {
    assert.equal(e.code, 'not-found');
    assert.match(e.message, new RegExp(`entity ${ids.p} has no image or clip`));
    return true;
  });
});
