// The workspace contract: what the rest of Constellation may ask of a workspace file.
// No SQL leaves src/workspace; everything else talks to these types.

export type DatasetKind = 'network' | 'interactions' | 'images' | 'videos';

export interface DatasetStats {
  /** entities per entity type name */
  entities: Record<string, number>;
  /** relations per relation type name */
  relations: Record<string, number>;
  /** interaction logs: users, items, interactions and per-user sequence length summary */
  interactions?: {
    users: number;
    items: number;
    interactions: number;
    sequenceLength: { min: number; median: number; mean: number; max: number };
    hasTime: boolean;
  };
  /** images/videos (and labelled nodes): count per class label */
  classes?: Record<string, number>;
  media?: { count: number; width?: number; height?: number; channels?: number; frames?: number };
}

export interface Dataset {
  id: number;
  name: string;
  kind: DatasetKind;
  /** where it came from: format and paths, as given by the user */
  source: { format: string; paths: string[]; options?: Record<string, unknown> };
  createdAt: string;
  stats: DatasetStats;
}

export interface EntityRow {
  /** the key as the source gives it (author id, user id, file name...) */
  key: string;
  label?: string | null;
  attributes?: Record<string, unknown> | null;
  classLabel?: string | null;
}

export interface MediaRow {
  /** entity key the media belongs to (one entity of the dataset's `image` or `clip` type per media) */
  key: string;
  /** encoded bytes (PNG/JPEG/WebP/GIF...) or a raw tensor, see `encoding` */
  bytes: Uint8Array;
  encoding: 'png' | 'jpeg' | 'webp' | 'gif' | 'raw-u8';
  width: number;
  height: number;
  channels: number;
  frames: number;
  classLabel?: string | null;
}

/**
 * One import = one transaction. Nothing is visible to other connections until `commit()`;
 * `rollback()` (or any thrown error) leaves the workspace exactly as before.
 *
 * Entity ids handed out by a session are per-type indices: 0..n-1 for each entity type, in order of
 * first appearance. They are what relations store and what readers return (CSR rows, item vocabularies).
 */
export interface ImportSession {
  readonly datasetId: number;
  entityType(name: string): number;
  relationType(name: string, sourceType: string, targetType: string): number;
  /** Adds entities; a key already present for that type is an error naming the key. */
  addEntities(typeName: string, rows: readonly EntityRow[]): void;
  /** Returns the id for a key, creating a bare entity when absent (interaction logs). */
  ensureEntity(typeName: string, key: string): number;
  /** Looks up an existing entity; undefined when the key is unknown. */
  entityId(typeName: string, key: string): number | undefined;
  /**
   * Appends relations in source order (the order is kept as `seq` for file-order ties).
   * `time` and `weight` are optional per batch; NaN means absent for a row.
   */
  addRelations(
    relationType: string,
    source: Int32Array | readonly number[],
    target: Int32Array | readonly number[],
    time?: Float64Array | readonly number[] | null,
    weight?: Float64Array | readonly number[] | null,
  ): void;
  addMedia(typeName: string, rows: readonly MediaRow[]): void;
  /** Computes stats, stores them, commits. */
  commit(): Dataset;
  rollback(): void;
}
