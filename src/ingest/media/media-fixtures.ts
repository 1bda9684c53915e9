// Fixture builders shared by this folder's tests: small images, clips and IDX files written to a temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Dataset } from '../../workspace/types.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { runImport } from '../registry.ts';
import type { Importer, ImportProgress } from '../types.ts';

export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'media-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An IDX file as the MNIST page describes it: 0, 0, type 0x08, rank, big-endian u32 dims, then the bytes. */
export function idxBytes(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  for (const [i, d] of dims.entries()) header.writeUInt32BE(d, 4 + 4 * i);
  return Buffer.concat([header, data]);
}

/** Pixels whose values depend on position and a seed, so that a swapped or shifted frame shows. */
export function pattern(width: number, height: number, channels: number, seed: number): Buffer {
  const out = Buffer.alloc(width * height * channels);
  for (let i = 0; i < out.length; i++) out[i] = (i * 31 + seed * 17) % 251;
  return out;
}

export function encodeImage(
  format: 'png' | 'jpeg' | 'webp',
  width: number,
  height: number,
  channels: 1 | 3 | 4,
  seed = 0,
): Promise<Buffer> {
  const image = sharp(pattern(width, height, channels, seed), { raw: { width, height, channels } });
  // sharp writes raw single-channel input as RGB unless told the colour space.
  return (channels === 1 ? image.toColourspace('b-w') : image)
    .toFormat(format, format === 'webp' ? { lossless: true } : {})
    .toBuffer();
}

/** An animated GIF or WebP of `frames` pages, each frame a flat colour (exact through GIF's palette). */
export function encodeAnimation(
  format: 'gif' | 'webp',
  width: number,
  height: number,
  frames: number,
): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * frames * 3);
  for (let f = 0; f < frames; f++)
    pixels.fill((f * 40) % 256, f * width * height * 3, (f + 1) * width * height * 3);
  const delay = Array.from({ length: frames }, () => 100);
  return sharp(pixels, { raw: { width, height: height * frames, channels: 3, pageHeight: height } })
    .toFormat(format, format === 'webp' ? { lossless: true, delay } : { delay })
    .toBuffer();
}

/** A fresh workspace in a temp dir and a way to import into it through the registry's runImport. */
export function importFixture(t: { after: (fn: () => void) => void }) {
  const workspace = openWorkspace(join(tempDir(t, 'media-ws-'), 'workspace.sqlite'));
  t.after(() => workspace.close());
  const events: ImportProgress[] = [];
  function run(
    importer: Importer,
    paths: string[],
    options: Record<string, unknown> = {},
    control: { signal?: AbortSignal; onProgress?: (p: ImportProgress) => void } = {},
  ): Promise<Dataset> {
    return runImport(workspace, {
      kind: importer.kind,
      format: importer.format,
      name: `${importer.format}-${workspace.datasets.list().length + 1}`,
      paths,
      options,
      signal: control.signal,
      progress: (p) => {
        events.push(p);
        control.onProgress?.(p);
      },
    });
  }
  return { workspace, events, run };
}
