import type { Connection } from './connection.ts';
import type { InteractionSequences, NetworkEdge, RelationArrays, RelationSample } from './types.ts';

/** Relations per query when a dataset's relations are streamed: bounded memory, no statement left open. */
const streamBatch = 16_384;

/** Relations read whole, as the network builder and the sequence models consume them. */
export class RelationRepository {
  constructor(private readonly connection: Connection) {}

  /** Every relation of a relation type, in file order. */
  arrays(relationTypeId: number): RelationArrays {
    const db = this.connection.db;
    const n = db
      .prepare('SELECT count(*) FROM relations WHERE relation_type_id = ?')
      .pluck()
      .get(relationTypeId) as number;
    const source = new Int32Array(n);
    const target = new Int32Array(n);
    const time = new Float64Array(n);
    const weight = new Float64Array(n);
    let anyTime = false;
    let anyWeight = false;
    let i = 0;
    const rows = db
      .prepare('SELECT source, target, time, weight FROM relations WHERE relation_type_id = ? ORDER BY seq')
      .raw()
      .iterate(relationTypeId) as IterableIterator<[number, number, number | null, number | null]>;
    for (const row of rows) {
      source[i] = row[0];
      target[i] = row[1];
      if (row[2] === null) time[i] = Number.NaN;
      else {
        time[i] = row[2];
        anyTime = true;
      }
      if (row[3] === null) weight[i] = Number.NaN;
      else {
        weight[i] = row[3];
        anyWeight = true;
      }
      i++;
    }
    return { source, target, time: anyTime ? time : null, weight: anyWeight ? weight : null };
  }

  /** Per-source sequences (per user, for an interaction log): targets by time, ties in file order. */
  sequences(relationTypeId: number): InteractionSequences {
    const { source, target, time } = this.arrays(relationTypeId);
    const n = source.length;
    let sources = 0;
    for (let i = 0; i < n; i++) if (source[i] >= sources) sources = source[i] + 1;
    const start = new Int32Array(sources + 1);
    for (let i = 0; i < n; i++) start[source[i] + 1]++;
    for (let s = 0; s < sources; s++) start[s + 1] += start[s];
    // counting sort by source keeps file order within each source
    const order = new Int32Array(n);
    const next = start.slice(0, sources);
    for (let i = 0; i < n; i++) order[next[source[i]]++] = i;
    if (time) {
      const byTime = (a: number, b: number) => {
        const ta = time[a];
        const tb = time[b];
        if (Number.isNaN(ta) || Number.isNaN(tb)) {
          if (Number.isNaN(ta) && Number.isNaN(tb)) return a - b;
          return Number.isNaN(ta) ? 1 : -1;
        }
        return ta - tb || a - b;
      };
      for (let s = 0; s < sources; s++) {
        const segment = order.subarray(start[s], start[s + 1]);
        let sorted = true;
        for (let k = 1; k < segment.length && sorted; k++) sorted = byTime(segment[k - 1], segment[k]) < 0;
        if (!sorted) segment.set(Array.from(segment).sort(byTime));
      }
    }
    let users = 0;
    for (let s = 0; s < sources; s++) if (start[s + 1] > start[s]) users++;
    const result: InteractionSequences = {
      users: new Int32Array(users),
      offsets: new Int32Array(users + 1),
      items: new Int32Array(n),
      times: new Float64Array(n),
    };
    let k = 0;
    for (let s = 0; s < sources; s++) {
      if (start[s + 1] === start[s]) continue;
      result.users[k] = s;
      result.offsets[k + 1] = start[s + 1];
      k++;
    }
    for (let j = 0; j < n; j++) {
      result.items[j] = target[order[j]];
      result.times[j] = time ? time[order[j]] : Number.NaN;
    }
    return result;
  }

  /**
   * Every relation of a dataset with both ends named by type and key, relation type by relation
   * type in file order. The keys of the entity types involved are held in memory (one string per
   * entity), so each relation costs no lookup.
   */
  *edges(datasetId: number): Generator<NetworkEdge> {
    const db = this.connection.db;
    const types = db
      .prepare(
        `SELECT r.id, r.name, s.id AS sourceId, s.name AS source, t.id AS targetId, t.name AS target
         FROM relation_types r
         JOIN entity_types s ON s.id = r.source_type_id
         JOIN entity_types t ON t.id = r.target_type_id
         WHERE r.dataset_id = ? ORDER BY r.id`,
      )
      .all(datasetId) as {
      id: number;
      name: string;
      sourceId: number;
      source: string;
      targetId: number;
      target: string;
    }[];
    const keysOf = db.prepare('SELECT key FROM entities WHERE type_id = ? ORDER BY idx').pluck();
    const keys = new Map<number, string[]>();
    const keysOfType = (typeId: number) => {
      let found = keys.get(typeId);
      if (!found) {
        found = keysOf.all(typeId) as string[];
        keys.set(typeId, found);
      }
      return found;
    };
    const page = db
      .prepare(
        'SELECT source, target, time, weight FROM relations WHERE relation_type_id = ? AND seq >= ? AND seq < ? ORDER BY seq',
      )
      .raw();
    for (const type of types) {
      const sourceKeys = keysOfType(type.sourceId);
      const targetKeys = keysOfType(type.targetId);
      for (let from = 0; ; from += streamBatch) {
        const rows = page.all(type.id, from, from + streamBatch) as [
          number,
          number,
          number | null,
          number | null,
        ][];
        for (const [source, target, time, weight] of rows) {
          yield {
            relation: type.name,
            sourceType: type.source,
            sourceKey: sourceKeys[source],
            targetType: type.target,
            targetKey: targetKeys[target],
            time,
            weight,
          };
        }
        if (rows.length < streamBatch) break;
      }
    }
  }

  /**
   * The relations of one source entity (one user's interactions) as target indices, by time with
   * untimed ones last, ties in file order (as `sequences` orders them). A scan of the relation
   * type: relations have no index on source (see migrations.ts), and one user at a time is what
   * a view asks.
   */
  ofSource(
    relationTypeId: number,
    source: number,
  ): { target: number; time: number | null; weight: number | null }[] {
    return this.connection.db
      .prepare(
        `SELECT target, time, weight FROM relations WHERE relation_type_id = ? AND source = ?
         ORDER BY time IS NULL, time, seq`,
      )
      .all(relationTypeId, source) as { target: number; time: number | null; weight: number | null }[];
  }

  /** The first relations of each relation type of a dataset, with keys: a preview of what was imported. */
  sample(datasetId: number, perRelationType = 20): RelationSample[] {
    return this.connection.db
      .prepare(
        `SELECT rt.name AS relationType, s.key AS source, t.key AS target, r.time, r.weight
         FROM relation_types rt
         JOIN relations r ON r.relation_type_id = rt.id AND r.seq < ?
         JOIN entities s ON s.type_id = rt.source_type_id AND s.idx = r.source
         JOIN entities t ON t.type_id = rt.target_type_id AND t.idx = r.target
         WHERE rt.dataset_id = ?
         ORDER BY rt.id, r.seq`,
      )
      .all(perRelationType, datasetId) as RelationSample[];
  }
}
