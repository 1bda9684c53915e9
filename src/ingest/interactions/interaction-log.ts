import type { EntityRow, ImportSession } from '../../workspace/types.ts';
import { RelationBatch } from '../relation-batch.ts';
import { InputError } from '../types.ts';

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
  private readonly users = new Map<string, number>();
  private readonly items = new Map<string, number>();
  private readonly relations: RelationBatch;

  constructor(private readonly session: ImportSession) {
    session.entityType(userType);
    session.entityType(itemType);
    session.relationType(interactedRelation, userType, itemType);
    this.relations = new RelationBatch(session, interactedRelation);
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
    this.relations.push(
      this.id(userType, this.users, user),
      this.id(itemType, this.items, item),
      time,
      rating,
    );
  }

  private id(type: string, ids: Map<string, number>, key: string): number {
    let id = ids.get(key);
    if (id === undefined) {
      id = this.session.ensureEntity(type, key);
      ids.set(key, id);
    }
    return id;
  }

  /** Hands the last batch to the session; returns the number of events written. */
  finish(): number {
    this.relations.flush();
    return this.relations.count;
  }
}
