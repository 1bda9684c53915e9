import type Database from 'better-sqlite3';
import { rowsPerStatement } from './batched-insert.ts';

/**
 * Writes relations many rows per INSERT statement, like BatchedInsert, but binds the relation type
 * and the first seq once per statement (a run of consecutive seq of one type) and computes each
 * row's seq in SQL: 4 values bound per row instead of 6. Binding is most of the insert's cost in
 * JavaScript; on 2M relations this measured ~12-15% less CPU than binding all 6 columns.
 */
export class RelationInsert {
  private readonly values: (number | null)[] = new Array(4 * rowsPerStatement);
  private readonly shared = { type: 0, seq: 0 };
  /** rows collected for the next statement */
  private rows = 0;
  private readonly full: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.full = db.prepare(this.sql(rowsPerStatement));
  }

  /** Adds one relation; `time` and `weight` are null when absent. */
  add(
    typeId: number,
    seq: number,
    source: number,
    target: number,
    time: number | null,
    weight: number | null,
  ) {
    if (this.rows > 0 && (typeId !== this.shared.type || seq !== this.shared.seq + this.rows)) this.flush();
    if (this.rows === 0) {
      this.shared.type = typeId;
      this.shared.seq = seq;
    }
    const o = 4 * this.rows++;
    const values = this.values;
    values[o] = source;
    values[o + 1] = target;
    values[o + 2] = time;
    values[o + 3] = weight;
    if (this.rows === rowsPerStatement) {
      this.full.run(values, this.shared);
      this.rows = 0;
    }
  }

  /** Writes the rows collected so far. */
  flush(): void {
    if (this.rows === 0) return;
    this.db.prepare(this.sql(this.rows)).run(this.values.slice(0, 4 * this.rows), this.shared);
    this.rows = 0;
  }

  private sql(rows: number): string {
    const row = (j: number) => `(@type, @seq + ${j}, ?, ?, ?, ?)`;
    return `INSERT INTO relations (relation_type_id, seq, source, target, time, weight) VALUES ${Array.from({ length: rows }, (_, j) => row(j)).join(',')}`;
  }
}
