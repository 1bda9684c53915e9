import { BatchedInsert } from './batched-insert.ts';
import { assertWritable, bytesOf, type Connection, float32Of } from './connection.ts';
import { WorkspaceError } from './errors.ts';
import type { EmbeddingMatrix } from './types.ts';

/**
 * A run's embeddings, one float32 BLOB per entity: one row per entity lets the explorer fetch the
 * vector of a clicked point by key, and the whole matrix still reads in one ordered pass.
 */
export class EmbeddingRepository {
  constructor(private readonly connection: Connection) {}

  /** Stores (replacing any earlier ones) the vectors of a run, in one transaction. */
  put(runId: number, matrix: EmbeddingMatrix): void {
    assertWritable(this.connection, 'store embeddings');
    const { entityIds, dim, vectors } = matrix;
    if (!Number.isInteger(dim) || dim <= 0 || vectors.length !== entityIds.length * dim) {
      throw new WorkspaceError(
        `embeddings of run ${runId}: ${vectors.length} floats are not ${entityIds.length} entities x dim ${dim}`,
      );
    }
    const db = this.connection.db;
    db.transaction(() => {
      db.prepare('DELETE FROM embeddings WHERE run_id = ?').run(runId);
      const rows = new BatchedInsert(db, 'INSERT INTO embeddings (run_id, entity_id, vector)', 3);
      const values = rows.values;
      for (let k = 0; k < entityIds.length; k++) {
        const o = rows.reserve();
        values[o] = runId;
        values[o + 1] = entityIds[k];
        values[o + 2] = bytesOf(vectors.subarray(k * dim, (k + 1) * dim));
      }
      rows.flush();
    })();
  }

  /** All vectors of a run, ordered by entity id; undefined when the run stored none. */
  get(runId: number): EmbeddingMatrix | undefined {
    const db = this.connection.db;
    const n = db.prepare('SELECT count(*) FROM embeddings WHERE run_id = ?').pluck().get(runId) as number;
    if (n === 0) return undefined;
    const rows = db
      .prepare('SELECT entity_id, vector FROM embeddings WHERE run_id = ? ORDER BY entity_id')
      .raw()
      .iterate(runId) as IterableIterator<[number, Buffer]>;
    const entityIds = new Int32Array(n);
    let dim = 0;
    let bytes = new Uint8Array(0);
    let k = 0;
    for (const [entityId, vector] of rows) {
      if (k === 0) {
        dim = vector.byteLength / 4;
        bytes = new Uint8Array(n * vector.byteLength);
      } else if (vector.byteLength !== dim * 4) {
        throw new WorkspaceError(
          `embeddings of run ${runId}: entity ${entityId} has ${vector.byteLength / 4} dimensions, not ${dim}`,
        );
      }
      entityIds[k] = entityId;
      bytes.set(vector, k * dim * 4);
      k++;
    }
    return { entityIds, dim, vectors: new Float32Array(bytes.buffer) };
  }

  /** The vector of one entity in a run. */
  vector(runId: number, entityId: number): Float32Array | undefined {
    const blob = this.connection.db
      .prepare('SELECT vector FROM embeddings WHERE run_id = ? AND entity_id = ?')
      .pluck()
      .get(runId, entityId) as Buffer | undefined;
    return blob && float32Of(blob);
  }
}
