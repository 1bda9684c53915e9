import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedDatasetsRoot } from '../../testing/shared-datasets.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { runImport } from '../registry.ts';

export interface IdxBenchResult {
  images: number;
  /** from opening the files to the commit (entities, media rows, stats) */
  seconds: number;
  images_per_s: number;
  compressed_mb_per_s: number;
}

/** Imports a whole MNIST-style IDX folder (Fashion-MNIST: 70,000 images) into a fresh workspace. */
export async function benchIdxImport(dir: string): Promise<IdxBenchResult> {
  const workDir = mkdtempSync(join(tmpdir(), 'bench-idx-'));
  const workspace = openWorkspace(join(workDir, 'bench.sqlite'));
  try {
    let totalBytes = 0;
    const start = performance.now();
    const dataset = await runImport(workspace, {
      kind: 'images',
      format: 'idx',
      name: 'bench',
      paths: [dir],
      progress: (p) => {
        totalBytes = p.totalBytes;
      },
    });
    const seconds = (performance.now() - start) / 1000;
    const images = dataset.stats.media?.count ?? 0;
    return {
      images,
      seconds,
      images_per_s: images / seconds,
      compressed_mb_per_s: totalBytes / 1e6 / seconds,
    };
  } finally {
    workspace.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? join(sharedDatasetsRoot, 'fashion-mnist');
  console.log(JSON.stringify(await benchIdxImport(dir)));
}
