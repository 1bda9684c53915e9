import { BatchedInsert } from './batched-insert.ts';
import { assertWritable, type Connection } from './connection.ts';
import { WorkspaceError } from './errors.ts';
import type { ClusterAssignments, Clustering, Projection, ProjectionPoints } from './types.ts';

interface AnalysisRecord {
  id: number;
  run_id: number;
  method: string;
  params: string;
  created_at: string;
}

function toAnalysis(row: AnalysisRecord): Projection & Clustering {
  return {
    id: row.id,
    runId: row.run_id,
    method: row.method,
    params: JSON.parse(row.params),
    createdAt: row.created_at,
  };
}

/** Projections (PCA, UMAP, t-SNE: x, y per entity) and clusterings (cluster id per entity) of a run's embeddings. */
export class AnalysisRepository {
  constructor(private readonly connection: Connection) {}

  putProjection(
    runId: number,
    method: string,
    params: Record<string, unknown>,
    entityIds: Int32Array,
    xy: Float32Array,
  ): Projection {
    if (xy.length !== entityIds.length * 2) {
      throw new WorkspaceError(
        `projection: ${xy.length} coordinates for ${entityIds.length} entities (need 2 each)`,
      );
    }
    const id = this.insert(
      'projections',
      'projection_points (projection_id, entity_id, x, y)',
      runId,
      method,
      params,
      (values, o, k, id) => {
        values[o] = id;
        values[o + 1] = entityIds[k];
        values[o + 2] = xy[2 * k];
        values[o + 3] = xy[2 * k + 1];
      },
      4,
      entityIds.length,
    );
    return this.projections(runId).find((p) => p.id === id)!;
  }

  projections(runId: number): Projection[] {
    return this.list('projections', runId);
  }

  projection(id: number): ProjectionPoints | undefined {
    const head = this.head('projections', id);
    if (!head) return undefined;
    const rows = this.connection.db
      .prepare('SELECT entity_id, x, y FROM projection_points WHERE projection_id = ? ORDER BY entity_id')
      .raw()
      .all(id) as [number, number, number][];
    const entityIds = new Int32Array(rows.length);
    const xy = new Float32Array(rows.length * 2);
    rows.forEach(([entityId, x, y], k) => {
      entityIds[k] = entityId;
      xy[2 * k] = x;
      xy[2 * k + 1] = y;
    });
    return { ...head, entityIds, xy };
  }

  putClustering(
    runId: number,
    method: string,
    params: Record<string, unknown>,
    entityIds: Int32Array,
    clusters: Int32Array,
  ): Clustering {
    if (clusters.length !== entityIds.length) {
      throw new WorkspaceError(`clustering: ${clusters.length} cluster ids for ${entityIds.length} entities`);
    }
    const id = this.insert(
      'clusterings',
      'cluster_assignments (clustering_id, entity_id, cluster)',
      runId,
      method,
      params,
      (values, o, k, id) => {
        values[o] = id;
        values[o + 1] = entityIds[k];
        values[o + 2] = clusters[k];
      },
      3,
      entityIds.length,
    );
    return this.clusterings(runId).find((c) => c.id === id)!;
  }

  clusterings(runId: number): Clustering[] {
    return this.list('clusterings', runId);
  }

  clustering(id: number): ClusterAssignments | undefined {
    const head = this.head('clusterings', id);
    if (!head) return undefined;
    const rows = this.connection.db
      .prepare(
        'SELECT entity_id, cluster FROM cluster_assignments WHERE clustering_id = ? ORDER BY entity_id',
      )
      .raw()
      .all(id) as [number, number][];
    return {
      ...head,
      entityIds: Int32Array.from(rows, (r) => r[0]),
      clusters: Int32Array.from(rows, (r) => r[1]),
    };
  }

  deleteProjection(id: number): boolean {
    assertWritable(this.connection, 'delete a projection');
    return this.connection.db.prepare('DELETE FROM projections WHERE id = ?').run(id).changes === 1;
  }

  deleteClustering(id: number): boolean {
    assertWritable(this.connection, 'delete a clustering');
    return this.connection.db.prepare('DELETE FROM clusterings WHERE id = ?').run(id).changes === 1;
  }

  private insert(
    table: 'projections' | 'clusterings',
    rowsTable: string,
    runId: number,
    method: string,
    params: Record<string, unknown>,
    write: (values: unknown[], offset: number, k: number, id: number) => void,
    width: number,
    n: number,
  ): number {
    assertWritable(this.connection, `store ${table}`);
    const db = this.connection.db;
    return db.transaction(() => {
      const id = Number(
        db
          .prepare(`INSERT INTO ${table} (run_id, method, params, created_at) VALUES (?, ?, ?, ?)`)
          .run(runId, method, JSON.stringify(params), new Date().toISOString()).lastInsertRowid,
      );
      const rows = new BatchedInsert(db, `INSERT INTO ${rowsTable}`, width);
      for (let k = 0; k < n; k++) write(rows.values, rows.reserve(), k, id);
      rows.flush();
      return id;
    })();
  }

  private list(table: 'projections' | 'clusterings', runId: number): (Projection & Clustering)[] {
    const rows = this.connection.db
      .prepare(`SELECT id, run_id, method, params, created_at FROM ${table} WHERE run_id = ? ORDER BY id`)
      .all(runId) as AnalysisRecord[];
    return rows.map(toAnalysis);
  }

  private head(table: 'projections' | 'clusterings', id: number): (Projection & Clustering) | undefined {
    const row = this.connection.db
      .prepare(`SELECT id, run_id, method, params, created_at FROM ${table} WHERE id = ?`)
      .get(id) as AnalysisRecord | undefined;
    return row && toAnalysis(row);
  }
}
