// The demo's video set: a drawn digit sliding across a dark canvas, one clip per folder of
// frames, classed by the direction of motion (the layout the `frames` importer reads). Telling
// the direction needs the frames in order, which is what a video model must learn.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { addNoise, drawDigit, randomPose } from './digit-glyphs.ts';
import { PngWriter } from './png-writer.ts';
import { Random } from './random.ts';
import type { DemoSpec } from './spec.ts';

export const directions = { left: [-1, 0], right: [1, 0], up: [0, -1], down: [0, 1] } as const;

export async function writeMovingDigits(
  spec: DemoSpec['motion'],
  seed: number,
  dir: string,
): Promise<number> {
  const random = Random.forPart(seed, 'moving digits');
  const { size, glyphSize, frames } = spec;
  const travel = size - glyphSize;
  const speed = travel / (frames - 1);
  const files = new PngWriter();
  let written = 0;
  for (const [direction, [vx, vy]] of Object.entries(directions)) {
    for (let n = 0; n < spec.clipsPerDirection; n++) {
      const clipDir = join(dir, direction, `clip-${String(n + 1).padStart(4, '0')}`);
      await mkdir(clipDir, { recursive: true });
      const digit = random.int(10);
      const pose = randomPose(random, glyphSize);
      // Start at the edge the motion leaves from; the other coordinate anywhere that stays in view.
      const startX = vx > 0 ? 0 : vx < 0 ? travel : random.uniform(0, travel);
      const startY = vy > 0 ? 0 : vy < 0 ? travel : random.uniform(0, travel);
      for (let f = 0; f < frames; f++) {
        const canvas = new Uint8Array(size * size);
        drawDigit(
          canvas,
          size,
          size,
          digit,
          pose,
          glyphSize,
          startX + vx * speed * f,
          startY + vy * speed * f,
        );
        addNoise(canvas, random, 6);
        await files.write(canvas, size, size, join(clipDir, `frame-${f + 1}.png`));
      }
      written++;
    }
  }
  await files.flush();
  return written;
}
