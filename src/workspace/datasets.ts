import type Database from 'better-sqlite3';
import { assertWritable, type Connection } from './connection.ts';
import { DatasetNameTaken, WorkspaceError } from './errors.ts';
import type { Dataset, DatasetKind } from './types.ts';

interface DatasetRecord {
  id: number;
  name: string;
  kind: DatasetKind;
  source: string;
  created_at: string;
  stats: string;
}

const columns = 'id, name, kind, source, created_at, stats';

function toDataset(row: DatasetRecord): Dataset {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    source: JSON.parse(row.source),
    createdAt: row.created_at,
    stats: JSON.parse(row.stats),
  };
}

export function readDataset(db: Database.Database, id: number): Dataset | undefined {
  const row = db.prepare(`SELECT ${columns} FROM datasets WHERE id = ?`).get(id) as DatasetRecord | undefined;
  return row && toDataset(row);
}

/** The datasets of a workspace: the imports that committed. */
export class DatasetRepository {
  private readonly db: Database.Database;

  constructor(private readonly connection: Connection) {
    this.db = connection.db;
  }

  list(): Dataset[] {
    const rows = this.db.prepare(`SELECT ${columns} FROM datasets ORDER BY id`).all() as DatasetRecord[];
    return rows.map(toDataset);
  }

  get(id: number): Dataset | undefined {
    return readDataset(this.db, id);
  }

  byName(name: string): Dataset | undefined {
    const row = this.db.prepare(`SELECT ${columns} FROM datasets WHERE name = ?`).get(name) as
      | DatasetRecord
      | undefined;
    return row && toDataset(row);
  }

  /** The dataset with this name, or an error listing the names there are. */
  require(name: string): Dataset {
    const dataset = this.byName(name);
    if (dataset) return dataset;
    const names = this.list().map((d) => d.name);
    throw new WorkspaceError(
      `no dataset named "${name}" in this workspace${names.length > 0 ? ` (there are: ${names.join(', ')})` : ' (it has none yet)'}`,
    );
  }

  rename(id: number, name: string): Dataset {
    assertWritable(this.connection, 'rename a dataset');
    const taken = this.byName(name);
    if (taken && taken.id !== id) throw new DatasetNameTaken(name);
    if (this.db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, id).changes === 0) {
      throw new WorkspaceError(`no dataset with id ${id}`);
    }
    return this.get(id)!;
  }

  /** Deletes the dataset and everything that belongs to it: entities, relations, media, runs and their results. */
  delete(id: number): boolean {
    assertWritable(this.connection, 'delete a dataset');
    return this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes === 1;
  }
}
