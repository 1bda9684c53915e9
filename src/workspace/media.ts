import type { Connection } from './connection.ts';
import type { MediaPage, MediaRow, StoredMedia } from './types.ts';

/**
 * Media per page: a raw 16-frame clip is megabytes, a PNG a few kilobytes; 64 keeps a page of clips
 * within a few hundred megabytes and a thumbnail grid full.
 */
export const mediaPageSize = 64;

interface MediaRecord {
  entity_id: number;
  idx: number;
  key: string;
  class_label: string | null;
  encoding: MediaRow['encoding'];
  bytes: Buffer;
  width: number;
  height: number;
  channels: number;
  frames: number;
}

const select = `SELECT m.entity_id, e.idx, e.key, e.class_label, m.encoding, m.bytes, m.width, m.height, m.channels, m.frames
  FROM media m JOIN entities e ON e.id = m.entity_id JOIN entity_types t ON t.id = e.type_id`;

function toMedia(row: MediaRecord): StoredMedia {
  return {
    entityId: row.entity_id,
    index: row.idx,
    key: row.key,
    classLabel: row.class_label,
    encoding: row.encoding,
    bytes: new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength),
    width: row.width,
    height: row.height,
    channels: row.channels,
    frames: row.frames,
  };
}

/** Images and clips of the datasets. */
export class MediaRepository {
  constructor(private readonly connection: Connection) {}

  /** Page `page` (0-based) of a dataset's media, in import order. */
  page(datasetId: number, page: number): MediaPage {
    const db = this.connection.db;
    const total = db
      .prepare(`SELECT count(*) FROM media m JOIN entities e ON e.id = m.entity_id JOIN entity_types t ON t.id = e.type_id
         WHERE t.dataset_id = ?`)
      .pluck()
      .get(datasetId) as number;
    const rows = db
      .prepare(`${select} WHERE t.dataset_id = ? ORDER BY m.entity_id LIMIT ? OFFSET ?`)
      .all(datasetId, mediaPageSize, page * mediaPageSize) as MediaRecord[];
    return { page, pageSize: mediaPageSize, total, rows: rows.map(toMedia) };
  }

  get(entityId: number): StoredMedia | undefined {
    const row = this.connection.db.prepare(`${select} WHERE m.entity_id = ?`).get(entityId) as
      | MediaRecord
      | undefined;
    return row && toMedia(row);
  }

  /** Every media of a dataset, one at a time, in import order: what a training data pipeline reads. */
  *each(datasetId: number): Generator<StoredMedia> {
    const rows = this.connection.db
      .prepare(`${select} WHERE t.dataset_id = ? ORDER BY m.entity_id`)
      .iterate(datasetId) as IterableIterator<MediaRecord>;
    for (const row of rows) yield toMedia(row);
  }
}
