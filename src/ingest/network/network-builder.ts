import type { EntityRow, ImportSession } from '../../workspace/types.ts';
import { RelationBatch } from '../relation-batch.ts';
import { InputError } from '../types.ts';

/** Entities handed to the session per call. */
const entityBatchRows = 10_000;

/**
 * Writes a heterogeneous network into an import session. It remembers where each entity key was
 * first seen, so a duplicate key or a relation to an unknown entity is reported with file and line.
 */
export class NetworkBuilder {
  private readonly ids = new Map<string, Map<string, number>>();
  private readonly firstSeen = new Map<string, Map<string, string>>();
  private readonly pendingEntities = new Map<string, EntityRow[]>();
  private readonly relations = new Map<string, RelationBatch>();

  constructor(private readonly session: ImportSession) {}

  private keysOf(type: string): Map<string, number> {
    let keys = this.ids.get(type);
    if (!keys) {
      this.session.entityType(type);
      keys = new Map();
      this.ids.set(type, keys);
      this.firstSeen.set(type, new Map());
    }
    return keys;
  }

  /** Adds a described entity (a node table row); a key seen before for this type is an error. */
  addEntity(type: string, row: EntityRow, file: string, line: number, keyField: string): void {
    const keys = this.keysOf(type);
    const seen = this.firstSeen.get(type)!;
    const first = seen.get(row.key);
    if (first !== undefined || keys.has(row.key)) {
      throw new InputError(
        file,
        line,
        keyField,
        `duplicate ${type} key "${row.key}"${first ? ` (first at ${first})` : ''}`,
      );
    }
    seen.set(row.key, `${file}:${line}`);
    keys.set(row.key, -1);
    let pending = this.pendingEntities.get(type);
    if (!pending) {
      pending = [];
      this.pendingEntities.set(type, pending);
    }
    pending.push(row);
    if (pending.length >= entityBatchRows) this.flushEntities(type);
  }

  private flushEntities(type: string): void {
    const pending = this.pendingEntities.get(type);
    if (!pending || pending.length === 0) return;
    this.session.addEntities(type, pending);
    const keys = this.ids.get(type)!;
    for (const row of pending) keys.set(row.key, this.session.entityId(type, row.key)!);
    pending.length = 0;
  }

  /** Has this type any described entities (a node table)? Then relations must refer to known keys. */
  isDescribed(type: string): boolean {
    return (this.firstSeen.get(type)?.size ?? 0) > 0;
  }

  /**
   * The id of an entity; created bare when `create` is true, otherwise an unknown key is an error
   * naming the relation file, line and field.
   */
  entity(type: string, key: string, create: boolean, file: string, line: number, field: string): number {
    const keys = this.keysOf(type);
    let id = keys.get(key);
    if (id === -1) {
      this.flushEntities(type);
      id = keys.get(key)!;
    }
    if (id !== undefined) return id;
    if (!create) {
      throw new InputError(file, line, field, `unknown ${type} "${key}": not in the ${type} node table`);
    }
    id = this.session.ensureEntity(type, key);
    keys.set(key, id);
    return id;
  }

  /** Declares a relation type and returns its batch. */
  relationType(name: string, sourceType: string, targetType: string): RelationBatch {
    let batch = this.relations.get(name);
    if (!batch) {
      this.keysOf(sourceType);
      this.keysOf(targetType);
      this.session.relationType(name, sourceType, targetType);
      batch = new RelationBatch(this.session, name);
      this.relations.set(name, batch);
    }
    return batch;
  }

  /** Flushes everything buffered; returns entity and relation counts written by this builder. */
  finish(): { entities: number; relations: number } {
    for (const type of this.pendingEntities.keys()) this.flushEntities(type);
    let relations = 0;
    for (const batch of this.relations.values()) {
      batch.flush();
      relations += batch.count;
    }
    let entities = 0;
    for (const keys of this.ids.values()) entities += keys.size;
    return { entities, relations };
  }
}
