import type Database from 'better-sqlite3';

/**
 * Many rows per INSERT statement. One statement per row spends most of its time crossing from
 * JavaScript into SQLite; 500 rows per statement measured about twice as fast for relations
 * (bench-import.ts) and stays far below SQLite's 32766 bound parameters.
 */
export const rowsPerStatement = 500;

/**
 * Collects the values of rows for one table and runs a prepared multi-row INSERT whenever a
 * statement's worth is ready. Callers write a row's values at the offset `reserve()` returns.
 */
export class BatchedInsert {
  readonly values: unknown[];
  private filled = 0;
  private readonly full: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly head: string,
    private readonly width: number,
  ) {
    this.values = new Array(width * rowsPerStatement);
    this.full = db.prepare(this.sql(rowsPerStatement));
  }

  /** Offset of the next row's first value; runs the statement first when the batch is full. */
  reserve(): number {
    if (this.filled === this.values.length) {
      this.full.run(this.values);
      this.filled = 0;
    }
    const offset = this.filled;
    this.filled += this.width;
    return offset;
  }

  /** Writes the rows collected so far. */
  flush(): void {
    if (this.filled === 0) return;
    if (this.filled === this.values.length) this.full.run(this.values);
    else this.db.prepare(this.sql(this.filled / this.width)).run(this.values.slice(0, this.filled));
    this.filled = 0;
  }

  private sql(rows: number): string {
    const row = `(${new Array(this.width).fill('?').join(',')})`;
    return `${this.head} VALUES ${new Array(rows).fill(row).join(',')}`;
  }
}
