import type Database from 'better-sqlite3';
import { BatchedInsert } from './batched-insert.ts';
import { DatasetStatsCollector } from './dataset-stats.ts';
import { readDataset } from './datasets.ts';
import { DatasetNameTaken, DuplicateEntityKey, WorkspaceError } from './errors.ts';
import { RelationInsert } from './relation-insert.ts';
import type { Dataset, DatasetKind, EntityRow, ImportNote, ImportSession, MediaRow } from './types.ts';

export interface ImportRequest {
  name: string;
  kind: DatasetKind;
  source: Dataset['source'];
}

interface EntityTypeState {
  id: number;
  name: string;
  /** key -> idx; every lookup of an import goes through here, never through SQL */
  idx: Map<string, number>;
  /** workspace-wide entity id by idx (media rows point at it) */
  entityIds: number[];
  /** idx of entities that already have a media row */
  withMedia: Set<number>;
}

interface RelationTypeState {
  id: number;
  name: string;
  source: EntityTypeState;
  target: EntityTypeState;
  seq: number;
}

/**
 * One import, one transaction on a connection of its own: the importer may stream for minutes
 * (async reads between batches), so the transaction is opened with BEGIN IMMEDIATE and closed by
 * commit() or rollback() instead of better-sqlite3's synchronous transaction(). The connection is
 * the session's alone so nothing else the process writes meanwhile can slip into (or be rolled
 * back with) the import, and the workspace's own connection keeps reading the state before it.
 *
 * Entity ids handed out here are idx values: 0..n-1 per entity type, in order of first appearance.
 */
export class WorkspaceImportSession implements ImportSession {
  readonly datasetId: number;
  private readonly entityTypes = new Map<string, EntityTypeState>();
  private readonly relationTypes = new Map<string, RelationTypeState>();
  private readonly entityRows: BatchedInsert;
  private readonly relationRows: RelationInsert;
  private readonly stats: DatasetStatsCollector;
  private nextEntityId: number;
  private open = true;

  constructor(
    private readonly db: Database.Database,
    request: ImportRequest,
    private readonly onClose: () => void,
  ) {
    db.exec('BEGIN IMMEDIATE');
    try {
      if (db.prepare('SELECT 1 FROM datasets WHERE name = ?').get(request.name) !== undefined) {
        throw new DatasetNameTaken(request.name);
      }
      this.datasetId = Number(
        db
          .prepare('INSERT INTO datasets (name, kind, source, created_at) VALUES (?, ?, ?, ?)')
          .run(request.name, request.kind, JSON.stringify(request.source), new Date().toISOString())
          .lastInsertRowid,
      );
      this.nextEntityId =
        (db.prepare('SELECT coalesce(max(id), 0) + 1 FROM entities').pluck().get() as number) ?? 1;
      this.entityRows = new BatchedInsert(
        db,
        'INSERT INTO entities (id, type_id, idx, key, label, attributes, class_label)',
        7,
      );
      this.relationRows = new RelationInsert(db);
      this.stats = new DatasetStatsCollector(request.kind);
    } catch (error) {
      this.close('ROLLBACK');
      throw error;
    }
  }

  entityType(name: string): number {
    return this.entityTypeState(name).id;
  }

  relationType(name: string, sourceType: string, targetType: string): number {
    this.assertOpen();
    const existing = this.relationTypes.get(name);
    if (existing) {
      if (existing.source.name !== sourceType || existing.target.name !== targetType) {
        throw new WorkspaceError(
          `relation type "${name}" is ${existing.source.name} -> ${existing.target.name}, not ${sourceType} -> ${targetType}`,
        );
      }
      return existing.id;
    }
    const source = this.entityTypeState(sourceType);
    const target = this.entityTypeState(targetType);
    const id = Number(
      this.db
        .prepare(
          'INSERT INTO relation_types (dataset_id, name, source_type_id, target_type_id) VALUES (?, ?, ?, ?)',
        )
        .run(this.datasetId, name, source.id, target.id).lastInsertRowid,
    );
    this.relationTypes.set(name, { id, name, source, target, seq: 0 });
    return id;
  }

  addEntities(typeName: string, rows: readonly EntityRow[]): void {
    const type = this.entityTypeState(typeName);
    for (const row of rows) {
      if (type.idx.has(row.key)) throw new DuplicateEntityKey(type.name, row.key);
      this.createEntity(type, row.key, row.label ?? null, row.attributes ?? null, row.classLabel ?? null);
    }
  }

  ensureEntity(typeName: string, key: string): number {
    const type = this.entityTypeState(typeName);
    return type.idx.get(key) ?? this.createEntity(type, key, null, null, null);
  }

  entityId(typeName: string, key: string): number | undefined {
    this.assertOpen();
    return this.entityTypes.get(typeName)?.idx.get(key);
  }

  addRelations(
    relationType: string,
    source: Int32Array | readonly number[],
    target: Int32Array | readonly number[],
    time?: Float64Array | readonly number[] | null,
    weight?: Float64Array | readonly number[] | null,
  ): void {
    this.assertOpen();
    const type = this.relationTypes.get(relationType);
    if (!type)
      throw new WorkspaceError(`relation type "${relationType}" was not declared with relationType()`);
    const n = source.length;
    if (target.length !== n || (time && time.length !== n) || (weight && weight.length !== n)) {
      throw new WorkspaceError(
        `relation type "${relationType}": source, target, time and weight differ in length`,
      );
    }
    const sourceCount = type.source.entityIds.length;
    const targetCount = type.target.entityIds.length;
    // the whole batch is checked before any of it is written, so a refused batch adds nothing
    for (let i = 0; i < n; i++) {
      const s = source[i];
      const t = target[i];
      if ((s | 0) !== s || s < 0 || s >= sourceCount)
        throw this.unknownEntity(type, 'source', type.source, s);
      if ((t | 0) !== t || t < 0 || t >= targetCount)
        throw this.unknownEntity(type, 'target', type.target, t);
    }
    const rows = this.relationRows;
    let seq = type.seq;
    for (let i = 0; i < n; i++) {
      const when = time ? time[i] : Number.NaN;
      const w = weight ? weight[i] : Number.NaN;
      rows.add(
        type.id,
        seq++,
        source[i],
        target[i],
        Number.isNaN(when) ? null : when,
        Number.isNaN(w) ? null : w,
      );
    }
    type.seq = seq;
    this.stats.addRelations(type.source.id, type.target.id, source, target, time);
  }

  addMedia(typeName: string, rows: readonly MediaRow[]): void {
    const type = this.entityTypeState(typeName);
    // media rows point at entity ids: the entities must be in the table first
    this.entityRows.flush();
    const insert = this.db.prepare(
      'INSERT INTO media (entity_id, encoding, bytes, width, height, channels, frames) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const setClass = this.db.prepare(
      'UPDATE entities SET class_label = ? WHERE id = ? AND class_label IS NULL',
    );
    for (const row of rows) {
      let idx = type.idx.get(row.key);
      if (idx === undefined) {
        idx = this.createEntity(type, row.key, null, null, row.classLabel ?? null);
        this.entityRows.flush();
      } else if (row.classLabel != null && setClass.run(row.classLabel, type.entityIds[idx]).changes === 1) {
        this.stats.addClass(type.name, row.classLabel);
      }
      if (type.withMedia.has(idx)) {
        throw new WorkspaceError(`${type.name} "${row.key}" already has its media; one media per entity`);
      }
      type.withMedia.add(idx);
      insert.run(
        type.entityIds[idx],
        row.encoding,
        row.bytes,
        row.width,
        row.height,
        row.channels,
        row.frames,
      );
      this.stats.addMedia(row);
    }
  }

  note(note: ImportNote): void {
    this.assertOpen();
    this.stats.addNote(note);
  }

  commit(): Dataset {
    this.assertOpen();
    try {
      this.entityRows.flush();
      this.relationRows.flush();
      const entities: Record<string, number> = {};
      for (const type of this.entityTypes.values()) entities[type.name] = type.entityIds.length;
      const relations: Record<string, number> = {};
      for (const type of this.relationTypes.values()) relations[type.name] = type.seq;
      const stats = this.stats.finish(entities, relations);
      this.db
        .prepare('UPDATE datasets SET stats = ? WHERE id = ?')
        .run(JSON.stringify(stats), this.datasetId);
      const dataset = readDataset(this.db, this.datasetId)!;
      this.close('COMMIT');
      return dataset;
    } catch (error) {
      if (this.open) this.close('ROLLBACK');
      throw error;
    }
  }

  rollback(): void {
    if (this.open) this.close('ROLLBACK');
  }

  private createEntity(
    type: EntityTypeState,
    key: string,
    label: string | null,
    attributes: Record<string, unknown> | null,
    classLabel: string | null,
  ): number {
    const idx = type.entityIds.length;
    const id = this.nextEntityId++;
    type.idx.set(key, idx);
    type.entityIds.push(id);
    const values = this.entityRows.values;
    const o = this.entityRows.reserve();
    values[o] = id;
    values[o + 1] = type.id;
    values[o + 2] = idx;
    values[o + 3] = key;
    values[o + 4] = label;
    values[o + 5] = attributes === null ? null : JSON.stringify(attributes);
    values[o + 6] = classLabel;
    if (classLabel !== null) this.stats.addClass(type.name, classLabel);
    return idx;
  }

  private entityTypeState(name: string): EntityTypeState {
    this.assertOpen();
    let type = this.entityTypes.get(name);
    if (!type) {
      const id = Number(
        this.db.prepare('INSERT INTO entity_types (dataset_id, name) VALUES (?, ?)').run(this.datasetId, name)
          .lastInsertRowid,
      );
      type = { id, name, idx: new Map(), entityIds: [], withMedia: new Set() };
      this.entityTypes.set(name, type);
    }
    return type;
  }

  private unknownEntity(
    relation: RelationTypeState,
    end: 'source' | 'target',
    type: EntityTypeState,
    value: number,
  ): WorkspaceError {
    return new WorkspaceError(
      `relation type "${relation.name}": ${end} ${value} is not a ${type.name} id of this import (ids come from ensureEntity/entityId)`,
    );
  }

  private assertOpen(): void {
    if (!this.open) throw new WorkspaceError('this import session is closed (committed or rolled back)');
  }

  private close(statement: 'COMMIT' | 'ROLLBACK'): void {
    this.open = false;
    try {
      if (this.db.inTransaction) this.db.exec(statement);
    } finally {
      this.onClose();
    }
  }
}
