import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkspace } from '../workspace/workspace.ts';
import { runImport } from './registry.ts';

export interface ImportBenchResult {
  rows: number;
  /** the csv importer, from opening the file to the commit (entities, relations, indexes, stats) */
  seconds: number;
  rows_per_s: number;
  /** the sqlite3 shell's `.import` of the same file into a plain table */
  sqlite3_seconds: number;
  sqlite3_rows_per_s: number;
  /** rows_per_s / sqlite3_rows_per_s; the goal is at least 0.5 */
  ratio: number;
  file_bytes: number;
}

/** A small, fast, seeded generator (mulberry32): the file must be the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Samples 0..n-1 with Zipf-like popularity (weight 1/(rank+1)^s), by inverse CDF. */
function zipf(n: number, s: number, next: () => number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** s;
    cdf[r] = total;
  }
  return () => {
    const u = next() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Writes a `user,item,timestamp` log: ~100k users, ~50k items, Zipf-like activity and popularity, time ascending. */
export async function writeInteractionCsv(path: string, rows: number, seed = 1): Promise<void> {
  const next = random(seed);
  const user = zipf(100_000, 0.8, next);
  const item = zipf(50_000, 1.0, next);
  const out = createWriteStream(path);
  let time = 1_600_000_000;
  let chunk = 'user,item,timestamp\n';
  for (let i = 0; i < rows; i++) {
    time += Math.floor(next() * 7);
    chunk += `${user() + 1},${item() + 1},${time}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/**
 * `constellation bench import`: generates a `rows`-row interaction CSV, imports it through the
 * csv importer into a fresh workspace, then `.import`s the same file with the sqlite3 shell into a
 * plain table, and compares the rates. Needs the `sqlite3` command on PATH.
 */
export async function benchImport({
  rows = 5_000_000,
  dir,
}: {
  rows?: number;
  dir?: string;
} = {}): Promise<ImportBenchResult> {
  const work = dir ?? mkdtempSync(join(tmpdir(), 'constellation-bench-import-'));
  mkdirSync(work, { recursive: true });
  const csv = join(work, 'interactions.csv');
  const workspacePath = join(work, 'bench.constellation');
  const plainPath = join(work, 'plain.sqlite');
  try {
    await writeInteractionCsv(csv, rows);
    for (const f of [workspacePath, `${workspacePath}-wal`, `${workspacePath}-shm`, plainPath])
      rmSync(f, { force: true });

    const workspace = openWorkspace(workspacePath);
    let seconds: number;
    try {
      const started = performance.now();
      const dataset = await runImport(workspace, {
        kind: 'interactions',
        paths: [csv],
        name: 'bench',
        format: 'csv',
      });
      seconds = (performance.now() - started) / 1000;
      const imported = dataset.stats.relations.interacted;
      if (imported !== rows)
        throw new Error(`bench import: expected ${rows} interactions, imported ${imported}`);
    } finally {
      workspace.close();
    }

    const started = performance.now();
    const shell = spawnSync('sqlite3', [plainPath, '.mode csv', `.import ${csv} t`], { encoding: 'utf8' });
    const sqlite3Seconds = (performance.now() - started) / 1000;
    if (shell.error)
      throw new Error(
        `bench import: cannot run sqlite3 (${shell.error.message}); install the sqlite3 package`,
      );
    if (shell.status !== 0) throw new Error(`bench import: sqlite3 .import failed: ${shell.stderr}`);
    const counted = spawnSync('sqlite3', [plainPath, 'SELECT count(*) FROM t'], { encoding: 'utf8' });
    if (Number(counted.stdout.trim()) !== rows)
      throw new Error(`bench import: sqlite3 imported ${counted.stdout.trim()} rows`);

    const { size } = statSync(csv);
    const rowsPerS = rows / seconds;
    const sqlite3RowsPerS = rows / sqlite3Seconds;
    return {
      rows,
      seconds,
      rows_per_s: Math.round(rowsPerS),
      sqlite3_seconds: sqlite3Seconds,
      sqlite3_rows_per_s: Math.round(sqlite3RowsPerS),
      ratio: rowsPerS / sqlite3RowsPerS,
      file_bytes: size,
    };
  } finally {
    if (dir === undefined) rmSync(work, { recursive: true, force: true });
  }
}
