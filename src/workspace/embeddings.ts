import { assertWritable, bytesOf, type Connection } from './connection.ts';
import { WorkspaceError } from './errors.ts';
import type { EmbeddingMatrix } from './types.ts';

/**
 * Entities per stored chunk. Measured (CPU seconds, 3x10^5 x 128 floats, a loaded 2-core machine):
 * one row per entity 1.98 s to write, 2.17 s to read; 4096-entity chunks 1.85 s and 1.61 s; the
 * same chunks in a WITHOUT ROWID table 3.9 s and 4.4 s. One entity's vector is still one chunk away.
 */
const chunkEntities = 4096;

function int32Of(blob: Uint8Array): Int32Array {
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Int32Array(copy.buffer);
}

/** A run's embeddings: float32 vectors per entity, kept in entity id order. */
export class EmbeddingRepository {
  constructor(private readonly connection: Connection) {}

  /** Whether a run has stored embeddings (without reading them). */
  has(runId: number): boolean {
    return (
      this.connection.db.prepare('SELECT 1 FROM embeddings WHERE run_id = ? LIMIT 1').get(runId) !== undefined
    );
  }

  /** Stores (replacing any earlier ones) the vectors of a run, in one transaction. */
  put(runId: number, matrix: EmbeddingMatrix): void {
    assertWritable(this.connection, 'store embeddings');
    const { entityIds, dim, vectors } = matrix;
    if (!Number.isInteger(dim) || dim <= 0 || vectors.length !== entityIds.length * dim) {
      throw new WorkspaceError(
        `embeddings of run ${runId}: ${vectors.length} floats are not ${entityIds.length} entities x dim ${dim}`,
      );
    }
    const order = Int32Array.from(entityIds.keys()).sort((a, b) => entityIds[a] - entityIds[b]);
    for (let k = 1; k < order.length; k++) {
      if (entityIds[order[k]] === entityIds[order[k - 1]]) {
        throw new WorkspaceError(`embeddings of run ${runId}: entity ${entityIds[order[k]]} appears twice`);
      }
    }
    const db = this.connection.db;
    const insert = db.prepare(
      'INSERT INTO embeddings (run_id, first_entity_id, last_entity_id, dim, entity_ids, vectors) VALUES (?, ?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      db.prepare('DELETE FROM embeddings WHERE run_id = ?').run(runId);
      for (let from = 0; from < order.length; from += chunkEntities) {
        const n = Math.min(chunkEntities, order.length - from);
        const ids = new Int32Array(n);
        const chunk = new Float32Array(n * dim);
        for (let k = 0; k < n; k++) {
          const row = order[from + k];
          ids[k] = entityIds[row];
          chunk.set(vectors.subarray(row * dim, (row + 1) * dim), k * dim);
        }
        insert.run(runId, ids[0], ids[n - 1], dim, bytesOf(ids), bytesOf(chunk));
      }
    })();
  }

  /** All vectors of a run, ordered by entity id; undefined when the run stored none. */
  get(runId: number): EmbeddingMatrix | undefined {
    const chunks = this.connection.db
      .prepare('SELECT dim, entity_ids, vectors FROM embeddings WHERE run_id = ? ORDER BY first_entity_id')
      .raw()
      .all(runId) as [number, Buffer, Buffer][];
    if (chunks.length === 0) return undefined;
    const dim = chunks[0][0];
    let n = 0;
    for (const [, ids] of chunks) n += ids.byteLength / 4;
    const entityIds = new Uint8Array(n * 4);
    const vectors = new Uint8Array(n * dim * 4);
    let at = 0;
    for (const [, ids, chunk] of chunks) {
      entityIds.set(ids, at * 4);
      vectors.set(chunk, at * dim * 4);
      at += ids.byteLength / 4;
    }
    return { entityIds: new Int32Array(entityIds.buffer), dim, vectors: new Float32Array(vectors.buffer) };
  }

  /** The vector of one entity in a run. */
  vector(runId: number, entityId: number): Float32Array | undefined {
    const row = this.connection.db
      .prepare(
        `SELECT dim, entity_ids, vectors, last_entity_id FROM embeddings
         WHERE run_id = ? AND first_entity_id <= ? ORDER BY first_entity_id DESC LIMIT 1`,
      )
      .raw()
      .get(runId, entityId) as [number, Buffer, Buffer, number] | undefined;
    if (!row || row[3] < entityId) return undefined;
    const [dim, idBlob, vectors] = row;
    const ids = int32Of(idBlob);
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ids[mid] === entityId) {
        const copy = new Uint8Array(dim * 4);
        copy.set(vectors.subarray(mid * dim * 4, (mid + 1) * dim * 4));
        return new Float32Array(copy.buffer);
      }
      if (ids[mid] < entityId) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}
