// Image fixtures the vision tests build in a temp dir: learnable generated classes written as a
// digits-style CSV (8 x 8 greyscale, values 0..16), imported through the real importer.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../demo/random.ts';
import { runImport } from '../../ingest/registry.ts';
import type { Dataset } from '../../workspace/types.ts';
import type { Workspace } from '../../workspace/workspace.ts';

/**
 * `perClass` images of each of `classes` classes: class k is a bright 2-pixel bar (rows for even k,
 * columns for odd k) at offset 2 (k / 2) plus uniform noise, so a small model separates them.
 */
export function barsCsv(dir: string, { classes = 4, perClass = 60, seed = 1 } = {}): string {
  const random = new Random(seed);
  const lines: string[] = [];
  for (let i = 0; i < classes * perClass; i++) {
    const k = i % classes;
    const at = 2 * Math.floor(k / 2);
    const pixels: number[] = [];
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const onBar = k % 2 === 0 ? y === at || y === at + 1 : x === at || x === at + 1;
        pixels.push(onBar ? 12 + random.int(5) : random.int(7));
      }
    }
    lines.push([...pixels, k].join(','));
  }
  const file = join(dir, 'bars-digits.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export function importImages(
  workspace: Workspace,
  name: string,
  path: string,
  format = 'digits-csv',
): Promise<Dataset> {
  return runImport(workspace, { kind: 'images', format, name, paths: [path] });
}
