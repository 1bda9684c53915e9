// The demo's image set: folder-per-class PNGs of drawn digits (the layout the `folder` importer reads).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { addNoise, drawDigit, randomPose } from './digit-glyphs.ts';
import { PngWriter } from './png-writer.ts';
import { Random } from './random.ts';
import type { DemoSpec } from './spec.ts';

export async function writeDigitImages(spec: DemoSpec['digits'], seed: number, dir: string): Promise<number> {
  const random = Random.forPart(seed, 'digits');
  const size = spec.size;
  const files = new PngWriter();
  let written = 0;
  for (let digit = 0; digit < 10; digit++) {
    const classDir = join(dir, String(digit));
    await mkdir(classDir, { recursive: true });
    for (let n = 0; n < spec.imagesPerClass; n++) {
      const canvas = new Uint8Array(size * size);
      drawDigit(canvas, size, size, digit, randomPose(random, size), size);
      addNoise(canvas, random, 6);
      await files.write(canvas, size, size, join(classDir, `${digit}-${String(n + 1).padStart(4, '0')}.png`));
      written++;
    }
  }
  await files.flush();
  return written;
}
