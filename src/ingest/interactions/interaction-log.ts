import type { EntityRow, ImportSession } from '../../workspace/types.ts';
import { RelationBatch } from '../relation-batch.ts';
import { InputError } from '../types.ts';
import { EntityKeys } from './entity-keys.ts';

/** The names every interaction log shares, whatever its format. */
export const userType = 'user';
export const itemType = 'item';
export const interactedRelation = 'interacted';

/**
 * Writes an interaction log into an import session: `user` and `item` entities created on first
 * sight, one `interacted` relation (user -> item) per event in file order. The workspace keeps file
 * order as `seq`, so reading by (time, seq) is ordering by timestamp, stable on ties.
 */
export class InteractionLogWriter {
  /** user and item keys -> idx; a format that reads integer keys from bytes may look them up here directly */
  readonly users: EntityKeys;
  readonly items: EntityKeys;
  private readonly relations: RelationBatch;

  constructor(private readonly session: ImportSession) {
    session.entityType(userType);
    session.entityType(itemType);
    session.relationType(interactedRelation, userType, itemType);
    this.relations = new RelationBatch(session, interactedRelation);
    this.users = new EntityKeys((key) => session.ensureEntity(userType, key));
    this.items = new EntityKeys((key) => session.ensureEntity(itemType, key));
  }

  /** Adds described users or items (labels, attributes) before the events; a repeated key is an error. */
  describe(
    type: typeof userType | typeof itemType,
    rows: readonly { row: EntityRow; line: number }[],
    file: string,
  ) {
    const ids = type === userType ? this.users : this.items;
    const firstLine = new Map<string, number>();
    for (const { row, line } of rows) {
      const seen = firstLine.get(row.key);
      if (seen !== undefined || ids.has(row.key)) {
        throw new InputError(
          file,
          line,
          `${type} key`,
          `duplicate ${type} key "${row.key}"${seen !== undefined ? ` (first at line ${seen})` : ''}`,
        );
      }
      firstLine.set(row.key, line);
    }
    this.session.addEntities(
      type,
      rows.map((r) => r.row),
    );
    for (const { row } of rows) ids.set(row.key, this.session.entityId(type, row.key)!);
  }

  /** One event; `time` and `rating` are NaN when the source has none. */
  add(user: string, item: string, time: number, rating: number): void {
    this.relations.push(this.users.of(user), this.items.of(item), time, rating);
  }

  /** One event by user and item idx (from `users` and `items`). */
  addByIdx(user: number, item: number, time: number, rating: number): void {
    this.relations.push(user, item, time, rating);
  }

  /** Hands the last batch to the session; returns the number of events written. */
  finish(): number {
    this.relations.flush();
    return this.relations.count;
  }
}
