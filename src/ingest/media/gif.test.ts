import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedDataset } from '../../testing/shared-datasets.ts';
import { InputError } from '../types.ts';
import { decodeAnimation } from './gif.ts';
import { encodeAnimation } from './media-fixtures.ts';

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
