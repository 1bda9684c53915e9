import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkspace } from './workspace.ts';

export interface ImportBenchOptions {
  /** interactions to insert (the benchmark: 5,000,000) */
  rows: number;
  users?: number;
  items?: number;
  /** workspace file to write; a temporary one (deleted afterwards) when absent */
  path?: string;
  seed?: number;
}

export interface ImportBenchResult {
  rows: number;
  users: number;
  items: number;
  /** wall time from beginImport to the end of commit, synthetic row generation excluded */
  seconds: number;
  rowsPerSecond: number;
  /** of which commit(): the last batches, stats and the WAL write */
  commitSeconds: number;
  fileBytes: number;
}

/** Rows generated and handed to the session at a time, as an importer's parser would. */
const batchRows = 1 << 16;

/**
 * The workspace half of `constellation bench import`: `rows` synthetic user,item,timestamp events
 * through an ImportSession (string keys resolved with ensureEntity, relations in batches), timing
 * only the session's work so the figure can be set against a parser's.
 */
export function benchImport(options: ImportBenchOptions): ImportBenchResult {
  const users = options.users ?? Math.max(1, Math.round(options.rows / 50));
  const items = options.items ?? Math.max(1, Math.round(options.rows / 100));
  const dir = options.path ? null : mkdtempSync(join(tmpdir(), 'constellation-bench-'));
  const path = options.path ?? join(dir!, 'bench.constellation');
  let state = (options.seed ?? 1) >>> 0;
  // xorshift32: the same synthetic log for a given seed, cheap enough not to disturb the timing
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const workspace = openWorkspace(path);
  try {
    const userKeys: string[] = new Array(batchRows);
    const itemKeys: string[] = new Array(batchRows);
    const source = new Int32Array(batchRows);
    const target = new Int32Array(batchRows);
    const time = new Float64Array(batchRows);
    let clock = 1_500_000_000;
    let timed = 0;
    let started = performance.now();
    const session = workspace.beginImport({
      name: `bench-${Date.now()}`,
      kind: 'interactions',
      source: { format: 'synthetic', paths: [], options: { rows: options.rows, users, items } },
    });
    session.relationType('interacted', 'user', 'item');
    timed += performance.now() - started;
    for (let done = 0; done < options.rows; done += batchRows) {
      const n = Math.min(batchRows, options.rows - done);
      for (let i = 0; i < n; i++) {
        // fresh strings, as a CSV parser hands them over (no cached hash)
        userKeys[i] = `u${Math.floor(random() * users)}`;
        itemKeys[i] = `i${Math.floor(random() * items)}`;
        clock += Math.floor(random() * 3);
        time[i] = clock;
      }
      started = performance.now();
      for (let i = 0; i < n; i++) {
        source[i] = session.ensureEntity('user', userKeys[i]);
        target[i] = session.ensureEntity('item', itemKeys[i]);
      }
      session.addRelations('interacted', source.subarray(0, n), target.subarray(0, n), time.subarray(0, n));
      timed += performance.now() - started;
    }
    started = performance.now();
    const dataset = session.commit();
    const commitMs = performance.now() - started;
    timed += commitMs;
    const seconds = timed / 1000;
    return {
      rows: options.rows,
      users: dataset.stats.entities.user ?? 0,
      items: dataset.stats.entities.item ?? 0,
      seconds,
      rowsPerSecond: Math.round(options.rows / seconds),
      commitSeconds: commitMs / 1000,
      fileBytes: statSync(path).size,
    };
  } finally {
    workspace.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
