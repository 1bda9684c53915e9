import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ImportCancelled, InputError } from '../types.ts';
import { framesImporter, readFrameClip } from './frames.ts';
import { collectClipFolders, IMAGE_EXTENSIONS } from './media-files.ts';
import { encodeImage, importFixture, pattern, tempDir } from './media-fixtures.ts';

async function writeClip(dir: string, frames: number, width = 6, height = 4): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (let f = 1; f <= frames; f++) {
    writeFileSync(join(dir, `frame${f}.png`), await encodeImage('png', width, height, 3, f));
  }
}

test('frames are read in natural order into one [frames, h, w, c] tensor; odd sizes are resized and listed', async (t) => {
  const root = tempDir(t);
  await writeClip(join(root, 'clip'), 11);
  writeFileSync(join(root, 'clip', 'frame12.png'), await encodeImage('png', 12, 8, 3, 12));
  const [clip] = await collectClipFolders([root], IMAGE_EXTENSIONS);
  const decoded = await readFrameClip(clip, new AbortController().signal);
  assert.equal(decoded.frames, 12);
  assert.deepEqual(decoded.shape, { width: 6, height: 4, channels: 3 });
  assert.equal(decoded.pixels.length, 12 * 6 * 4 * 3);
  const frameBytes = 6 * 4 * 3;
  for (let f = 1; f <= 11; f++) {
    assert.deepEqual(
      decoded.pixels.subarray((f - 1) * frameBytes, f * frameBytes),
      pattern(6, 4, 3, f),
      `frame${f}`,
    );
  }
  assert.deepEqual(decoded.resized, ['frame12.png']);
});

test('clip folders per class become clip entities with the class of their parent folder', async (t) => {
  const root = tempDir(t);
  await writeClip(join(root, 'wave', 'a'), 3);
  await writeClip(join(root, 'wave', 'b'), 3);
  await writeClip(join(root, 'jump', 'c'), 3);
  const { run, workspace } = importFixture(t);
  assert.equal(await framesImporter.detect([root]), true);
  const dataset = await run(framesImporter, [root]);
  assert.equal(dataset.kind, 'videos');
  assert.deepEqual(dataset.stats.entities, { clip: 3 });
  assert.deepEqual(dataset.stats.classes, { wave: 2, jump: 1 });
  assert.deepEqual(dataset.stats.media, { count: 3, width: 6, height: 4, channels: 3, frames: 3 });
  const first = [...workspace.media.each(dataset.id)][0];
  assert.equal(first.key, 'jump/c');
  assert.deepEqual(Buffer.from(first.bytes.subarray(0, 6 * 4 * 3)), pattern(6, 4, 3, 1));

  const controller = new AbortController();
  await assert.rejects(
    run(framesImporter, [root], {}, { signal: controller.signal, onProgress: () => controller.abort() }),
    ImportCancelled,
  );
  assert.equal(workspace.datasets.list().length, 1);
});

test('a corrupt frame fails the import naming the frame file', async (t) => {
  const root = tempDir(t);
  await writeClip(join(root, 'clip'), 3);
  const broken = join(root, 'clip', 'frame2.png');
  writeFileSync(broken, 'not a png');
  const { run, workspace } = importFixture(t);
  await assert.rejects(run(framesImporter, [root]), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, broken);
    return true;
  });
  assert.deepEqual(workspace.datasets.list(), []);
});

test("onCorrupt: 'skip' leaves out the clip with an unreadable frame, notes the frame, and imports the others", async (t) => {
  const root = tempDir(t);
  await writeClip(join(root, 'good'), 3);
  await writeClip(join(root, 'bad'), 3);
  const broken = join(root, 'bad', 'frame2.png');
  writeFileSync(broken, 'not a png');
  const { run, workspace } = importFixture(t);
  await assert.rejects(run(framesImporter, [root]), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, broken);
    assert.match(error.problem, /onCorrupt: 'skip'/);
    return true;
  });
  assert.deepEqual(workspace.datasets.list(), []);
  const dataset = await run(framesImporter, [root], { onCorrupt: 'skip' });
  assert.deepEqual(dataset.stats.entities, { clip: 1 });
  assert.deepEqual(
    dataset.stats.notes?.map((n) => [n.action, n.file]),
    [['skipped', broken]],
  );
});
