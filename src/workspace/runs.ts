import { hostname } from 'node:os';
import { assertWritable, type Connection } from './connection.ts';
import { WorkspaceError } from './errors.ts';
import type { Checkpoint, MetricPoint, MetricSeries, NewRun, Run, RunStatus, RunSummary } from './types.ts';

interface RunRecord {
  id: number;
  dataset_id: number;
  model: string;
  config: string;
  seed: number;
  device: string;
  code_version: string;
  status: RunStatus;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  seconds: number;
}

const finalStatuses: ReadonlySet<RunStatus> = new Set(['cancelled', 'failed', 'done']);

function toRun(row: RunRecord): Run {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    model: row.model,
    config: JSON.parse(row.config),
    seed: row.seed,
    device: row.device,
    codeVersion: row.code_version,
    status: row.status,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    seconds: row.seconds,
  };
}

/** Training runs: what was asked (model, config, seed, device, code version), how it went, what it measured. */
export class RunRepository {
  constructor(private readonly connection: Connection) {}

  create(run: NewRun): Run {
    assertWritable(this.connection, 'create a run');
    const id = Number(
      this.connection.db
        .prepare(
          `INSERT INTO runs (dataset_id, model, config, seed, device, code_version, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          run.datasetId,
          run.model,
          JSON.stringify(run.config),
          run.seed,
          run.device,
          run.codeVersion,
          new Date().toISOString(),
        ).lastInsertRowid,
    );
    return this.get(id)!;
  }

  get(id: number): Run | undefined {
    const row = this.connection.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as
      | RunRecord
      | undefined;
    return row && toRun(row);
  }

  /** Runs (of one dataset, or all), newest first, each with the last value of every metric. */
  list(datasetId?: number): RunSummary[] {
    const db = this.connection.db;
    const rows = (
      datasetId === undefined
        ? db.prepare('SELECT * FROM runs ORDER BY id DESC').all()
        : db.prepare('SELECT * FROM runs WHERE dataset_id = ? ORDER BY id DESC').all(datasetId)
    ) as RunRecord[];
    const last = db.prepare(
      `SELECT name, value FROM run_metrics m
       WHERE run_id = ? AND step = (SELECT max(step) FROM run_metrics WHERE run_id = m.run_id AND name = m.name)`,
    );
    return rows.map((row) => {
      const metrics: Record<string, number | null> = {};
      for (const { name, value } of last.all(row.id) as { name: string; value: number | null }[]) {
        metrics[name] = value;
      }
      return { ...toRun(row), metrics };
    });
  }

  /**
   * Moves a run to `status`. The first `running` stamps startedAt, a final status (cancelled,
   * failed, done) stamps finishedAt; `error` says why a run failed. `running` records this
   * process as the run's owner (see releaseAbandoned); any other status clears it.
   */
  setStatus(id: number, status: RunStatus, error: string | null = null): Run {
    assertWritable(this.connection, 'change a run');
    const now = new Date().toISOString();
    const running = status === 'running';
    const changed = this.connection.db
      .prepare(
        `UPDATE runs SET status = ?, error = ?,
           started_at = CASE WHEN ? THEN coalesce(started_at, ?) ELSE started_at END,
           finished_at = CASE WHEN ? THEN ? ELSE NULL END,
           owner_host = ?, owner_pid = ?
         WHERE id = ?`,
      )
      .run(
        status,
        error,
        running ? 1 : 0,
        now,
        finalStatuses.has(status) ? 1 : 0,
        now,
        running ? hostname() : null,
        running ? process.pid : null,
        id,
      ).changes;
    if (changed === 0) throw new WorkspaceError(`no run with id ${id}`);
    return this.get(id)!;
  }

  /**
   * Runs marked running by a process of this machine that no longer exists (killed, crashed, the
   * machine lost power) become cancelled, with a message saying so, so they can be resumed from
   * their last checkpoint. Runs of live processes, and of other machines sharing the file, are left
   * alone. Returns the ids released.
   */
  releaseAbandoned(): number[] {
    assertWritable(this.connection, 'change a run');
    const host = hostname();
    const owned = this.connection.db
      .prepare(`SELECT id, owner_pid FROM runs WHERE status = 'running' AND owner_host = ?`)
      .all(host) as { id: number; owner_pid: number }[];
    const released: number[] = [];
    for (const { id, owner_pid: pid } of owned) {
      if (processAlive(pid)) continue;
      this.setStatus(
        id,
        'cancelled',
        `interrupted: the process training it (pid ${pid}) ended without finishing it (killed or crashed); resume it from its last checkpoint`,
      );
      released.push(id);
    }
    return released;
  }

  /** Adds training time (a job reports the seconds it ran between pauses). */
  addSeconds(id: number, seconds: number): void {
    assertWritable(this.connection, 'change a run');
    this.connection.db.prepare('UPDATE runs SET seconds = seconds + ? WHERE id = ?').run(seconds, id);
  }

  /** Appends metric points in one transaction; a point at a step already recorded replaces it (a resumed run). */
  appendMetrics(id: number, points: readonly MetricPoint[]): void {
    assertWritable(this.connection, 'record metrics');
    const db = this.connection.db;
    const insert = db.prepare(
      'INSERT OR REPLACE INTO run_metrics (run_id, name, step, value) VALUES (?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (const p of points) insert.run(id, p.name, p.step, Number.isNaN(p.value) ? null : p.value);
    })();
  }

  /** Every metric of a run as a series by step (NaN where a value was not finite). */
  metrics(id: number): Record<string, MetricSeries> {
    const rows = this.connection.db
      .prepare('SELECT name, step, value FROM run_metrics WHERE run_id = ? ORDER BY name, step')
      .raw()
      .all(id) as [string, number, number | null][];
    const series: Record<string, MetricSeries> = {};
    let from = 0;
    while (from < rows.length) {
      const name = rows[from][0];
      let to = from;
      while (to < rows.length && rows[to][0] === name) to++;
      const steps = new Float64Array(to - from);
      const values = new Float64Array(to - from);
      for (let k = from; k < to; k++) {
        steps[k - from] = rows[k][1];
        values[k - from] = rows[k][2] ?? Number.NaN;
      }
      series[name] = { steps, values };
      from = to;
    }
    return series;
  }

  /** Records a checkpoint, as a file path or as the bytes themselves. */
  addCheckpoint(id: number, step: number, where: { path: string } | { data: Uint8Array }): Checkpoint {
    assertWritable(this.connection, 'record a checkpoint');
    const path = 'path' in where ? where.path : null;
    const data =
      'data' in where ? Buffer.from(where.data.buffer, where.data.byteOffset, where.data.byteLength) : null;
    const checkpointId = Number(
      this.connection.db
        .prepare('INSERT INTO checkpoints (run_id, step, path, data, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(id, step, path, data, new Date().toISOString()).lastInsertRowid,
    );
    return this.checkpoints(id).find((c) => c.id === checkpointId)!;
  }

  /** Checkpoints of a run by step; the last one is where a resume starts. */
  checkpoints(id: number): Checkpoint[] {
    const rows = this.connection.db
      .prepare(
        'SELECT id, run_id, step, path, data, created_at FROM checkpoints WHERE run_id = ? ORDER BY step, id',
      )
      .all(id) as {
      id: number;
      run_id: number;
      step: number;
      path: string | null;
      data: Buffer | null;
      created_at: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      step: r.step,
      path: r.path,
      data: r.data && new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength),
      createdAt: r.created_at,
    }));
  }

  /** Deletes a run with its metrics, checkpoints, embeddings, projections and clusterings. */
  delete(id: number): boolean {
    assertWritable(this.connection, 'delete a run');
    return this.connection.db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes === 1;
  }
}

/** Whether a process of this machine exists (signal 0 checks without sending anything). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by another user
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
