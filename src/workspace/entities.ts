import type { Connection } from './connection.ts';
import type { Entity, EntityPage, EntityTypeInfo, RelationTypeInfo } from './types.ts';

/**
 * Rows per page: a table view shows a few dozen at a time and scrolls; a thousand keeps one IPC or
 * WebSocket message small (about 100 kB) while a 10^6-entity type still pages in a thousand steps.
 * Pages are idx ranges, so the last page costs the same as the first.
 */
export const entityPageSize = 1000;

interface EntityRecord {
  id: number;
  idx: number;
  key: string;
  label: string | null;
  class_label: string | null;
  attributes: string | null;
}

function toEntity(row: EntityRecord): Entity {
  return {
    id: row.id,
    index: row.idx,
    key: row.key,
    label: row.label,
    classLabel: row.class_label,
    attributes: row.attributes === null ? null : JSON.parse(row.attributes),
  };
}

/** Entity types, relation types and entities of the datasets. */
export class EntityRepository {
  constructor(private readonly connection: Connection) {}

  types(datasetId: number): EntityTypeInfo[] {
    return this.connection.db
      .prepare(
        `SELECT t.id, t.name, (SELECT count(*) FROM entities e WHERE e.type_id = t.id) AS count
         FROM entity_types t WHERE t.dataset_id = ? ORDER BY t.id`,
      )
      .all(datasetId) as EntityTypeInfo[];
  }

  /** The entity type of a dataset by name, or undefined. */
  type(datasetId: number, name: string): EntityTypeInfo | undefined {
    return this.types(datasetId).find((t) => t.name === name);
  }

  relationTypes(datasetId: number): RelationTypeInfo[] {
    return this.connection.db
      .prepare(
        `SELECT r.id, r.name, s.name AS sourceType, t.name AS targetType,
           (SELECT count(*) FROM relations x WHERE x.relation_type_id = r.id) AS count
         FROM relation_types r
         JOIN entity_types s ON s.id = r.source_type_id
         JOIN entity_types t ON t.id = r.target_type_id
         WHERE r.dataset_id = ? ORDER BY r.id`,
      )
      .all(datasetId) as RelationTypeInfo[];
  }

  relationType(datasetId: number, name: string): RelationTypeInfo | undefined {
    return this.relationTypes(datasetId).find((t) => t.name === name);
  }

  /** Page `page` (0-based) of an entity type, in index order. */
  page(typeId: number, page: number): EntityPage {
    const db = this.connection.db;
    const total = db.prepare('SELECT count(*) FROM entities WHERE type_id = ?').pluck().get(typeId) as number;
    const from = page * entityPageSize;
    const rows = db
      .prepare(
        `SELECT id, idx, key, label, class_label, attributes FROM entities
         WHERE type_id = ? AND idx >= ? AND idx < ? ORDER BY idx`,
      )
      .all(typeId, from, from + entityPageSize) as EntityRecord[];
    return { page, pageSize: entityPageSize, total, rows: rows.map(toEntity) };
  }

  byKey(typeId: number, key: string): Entity | undefined {
    const row = this.connection.db
      .prepare(
        'SELECT id, idx, key, label, class_label, attributes FROM entities WHERE type_id = ? AND key = ?',
      )
      .get(typeId, key) as EntityRecord | undefined;
    return row && toEntity(row);
  }

  /** Keys in index order: the vocabulary a model or an export uses. */
  keys(typeId: number): string[] {
    return this.connection.db
      .prepare('SELECT key FROM entities WHERE type_id = ? ORDER BY idx')
      .pluck()
      .all(typeId) as string[];
  }

  /** Workspace-wide entity ids in index order: what embeddings, projections and clusterings refer to. */
  ids(typeId: number): Int32Array {
    const ids = this.connection.db
      .prepare('SELECT id FROM entities WHERE type_id = ? ORDER BY idx')
      .pluck()
      .all(typeId) as number[];
    return Int32Array.from(ids);
  }

  /** Class labels in index order (null where an entity has none): ground truth for probes and clustering scores. */
  classLabels(typeId: number): (string | null)[] {
    return this.connection.db
      .prepare('SELECT class_label FROM entities WHERE type_id = ? ORDER BY idx')
      .pluck()
      .all(typeId) as (string | null)[];
  }
}
