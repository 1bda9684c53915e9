import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedDataset } from '../../testing/shared-datasets.ts';
import { InputError } from '../types.ts';
import { decodeAnimation, gifImporter } from './gif.ts';
import { encodeAnimation, importFixture, tempDir } from './media-fixtures.ts';

for (const format of ['gif', 'webp'] as const) {
  test(`animated ${format}: every frame decoded, in order, into [frames, h, w, 3]`, async () => {
    const clip = await decodeAnimation(`a.${format}`, await encodeAnimation(format, 5, 4, 3));
    assert.deepEqual([clip.frames, clip.height, clip.width], [3, 4, 5]);
    assert.equal(clip.pixels.length, 3 * 4 * 5 * 3);
    const frameBytes = 4 * 5 * 3;
    for (let f = 0; f < 3; f++) {
      const frame = clip.pixels.subarray(f * frameBytes, (f + 1) * frameBytes);
      assert.ok(
        frame.every((v) => Math.abs(v - f * 40) <= 1),
        `frame ${f} is the colour written`,
      );
    }
    assert.equal(clip.fps, 10);
  });
}

test('a corrupt GIF is an InputError naming the file', async () => {
  const bytes = await encodeAnimation('gif', 5, 4, 3);
  await assert.rejects(decodeAnimation('/clips/x.gif', bytes.subarray(0, 30)), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, '/clips/x.gif');
    return true;
  });
});

test('the gif-clips dataset: 16 frames of 340x510 and 17 frames of 212x283', async (t) => {
  const dir = sharedDataset(t, 'gif-clips');
  if (!dir) return;
  const cam = await decodeAnimation('camshift_face.gif', readFileSync(join(dir, 'camshift_face.gif')));
  assert.deepEqual([cam.frames, cam.width, cam.height], [16, 340, 510]);
  const mean = await decodeAnimation('meanshift_face.gif', readFileSync(join(dir, 'meanshift_face.gif')));
  assert.deepEqual([mean.frames, mean.width, mean.height], [17, 212, 283]);
});

test('GIF and WebP clips in class folders become clip entities', async (t) => {
  const root = tempDir(t);
  mkdirSync(join(root, 'spin'));
  mkdirSync(join(root, 'still'));
  writeFileSync(join(root, 'spin', 'a.gif'), await encodeAnimation('gif', 5, 4, 3));
  writeFileSync(join(root, 'still', 'b.webp'), await encodeAnimation('webp', 5, 4, 3));
  const { run } = importFixture(t);
  const dataset = await run(gifImporter, [root]);
  assert.deepEqual(dataset.stats.entities, { clip: 2 });
  assert.deepEqual(dataset.stats.classes, { spin: 1, still: 1 });
  assert.deepEqual(dataset.stats.media, { count: 2, width: 5, height: 4, channels: 3, frames: 3 });
});

test('gif-clips imports as two unlabelled clips; a corrupt GIF fails and changes nothing', async (t) => {
  const dir = sharedDataset(t, 'gif-clips');
  if (!dir) return;
  const { run, workspace } = importFixture(t);
  const dataset = await run(gifImporter, [dir]);
  assert.deepEqual(dataset.stats.entities, { clip: 2 });
  assert.equal(dataset.stats.classes, undefined);
  assert.deepEqual(dataset.stats.media, { count: 2, channels: 3 });
  const stored = [...workspace.media.each(dataset.id)];
  assert.deepEqual(
    stored.map((m) => [m.key, m.encoding, m.frames, m.width, m.height, m.bytes.length]),
    [
      ['camshift_face.gif', 'raw-u8', 16, 340, 510, 16 * 510 * 340 * 3],
      ['meanshift_face.gif', 'raw-u8', 17, 212, 283, 17 * 283 * 212 * 3],
    ],
  );

  const broken = join(tempDir(t), 'broken.gif');
  writeFileSync(broken, readFileSync(join(dir, 'meanshift_face.gif')).subarray(0, 5000));
  await assert.rejects(run(gifImporter, [join(dir, 'camshift_face.gif'), broken]), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, broken);
    return true;
  });
  assert.equal(workspace.datasets.list().length, 1);
});

test("onCorrupt: 'skip' imports the readable clips and notes the unreadable one", async (t) => {
  const root = tempDir(t);
  writeFileSync(join(root, 'a.gif'), await encodeAnimation('gif', 5, 4, 3));
  const broken = join(root, 'b.gif');
  writeFileSync(broken, (await encodeAnimation('gif', 5, 4, 3)).subarray(0, 30));
  const { run, workspace } = importFixture(t);
  await assert.rejects(run(gifImporter, [root]), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, broken);
    assert.match(error.problem, /not a readable animation.*onCorrupt: 'skip'/);
    return true;
  });
  assert.deepEqual(workspace.datasets.list(), []);
  const dataset = await run(gifImporter, [root], { onCorrupt: 'skip' });
  assert.deepEqual(dataset.stats.entities, { clip: 1 });
  const [note] = dataset.stats.notes!;
  assert.deepEqual([note.action, note.file], ['skipped', broken]);
  assert.match(note.problem, /not a readable animation/);
});
