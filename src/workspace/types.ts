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
  /** entities with a class label, per entity type: which types the classes belong to, and how many */
  labelled?: Record<string, number>;
  media?: { count: number; width?: number; height?: number; channels?: number; frames?: number };
  /** what the import left out (skipped corrupt files...), the first `maxStoredNotes` of them */
  notes?: ImportNote[];
  /** notes beyond the stored ones: counted, not kept */
  notesOmitted?: number;
}

/** Something an import left out, kept with the dataset so the user can see it afterwards. */
export interface ImportNote {
  /** 'skipped': the file (or line) is not in the dataset */
  action: 'skipped';
  file: string;
  /** 1-based, when the note concerns one line of a text file */
  line?: number;
  problem: string;
}

export interface Dataset {
  id: number;
  name: string;
  kind: DatasetKind;
  /** where it came from: format and paths as given by the user, or what generated it */
  source: {
    format: string;
    /** the user's files and folders; empty for generated data, whose files were temporary */
    paths: string[];
    options?: Record<string, unknown>;
    generated?: GeneratedSource;
  };
  createdAt: string;
  stats: DatasetStats;
}

/** Data that Constellation generated itself (the embedded demo): what made it, from which seed. */
export interface GeneratedSource {
  by: string;
  seed: number;
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
  /** Records something the import left out; stored with the dataset's stats at commit, gone on rollback. */
  note(note: ImportNote): void;
  /** Computes stats, stores them, commits. */
  commit(): Dataset;
  rollback(): void;
}

export interface EntityTypeInfo {
  id: number;
  name: string;
  count: number;
}

export interface RelationTypeInfo {
  id: number;
  name: string;
  sourceType: string;
  targetType: string;
  count: number;
}

/** An entity as readers see it: `index` is its per-type id (the one relations use), `id` the workspace-wide one. */
export interface Entity {
  id: number;
  index: number;
  key: string;
  label: string | null;
  classLabel: string | null;
  attributes: Record<string, unknown> | null;
}

/** Who each entity of a list is, column by column in the order asked: what an export writes beside the vectors. */
export interface EntityDescriptions {
  keys: string[];
  /** entity type names (author, paper, item...) */
  types: string[];
  labels: (string | null)[];
  classes: (string | null)[];
}

/** An entity of a dataset with its type name: a node of the network as GEXF or Gephi sees it. */
export interface NetworkNode {
  type: string;
  key: string;
  label: string | null;
  classLabel: string | null;
  attributes: Record<string, unknown> | null;
}

/** A relation with both ends named by type and key; time and weight null where absent. */
export interface NetworkEdge {
  relation: string;
  sourceType: string;
  sourceKey: string;
  targetType: string;
  targetKey: string;
  time: number | null;
  weight: number | null;
}

export interface EntityPage {
  page: number;
  pageSize: number;
  total: number;
  rows: Entity[];
}

/** All relations of one relation type in file order; NaN in `time` or `weight` means absent. */
export interface RelationArrays {
  source: Int32Array;
  target: Int32Array;
  /** null when no relation of the type has a time */
  time: Float64Array | null;
  /** null when no relation of the type has a weight */
  weight: Float64Array | null;
}

/**
 * Every source's relations ordered by time (absent times last), ties in file order. Sequence k
 * belongs to entity index `users[k]` and spans `items[offsets[k] .. offsets[k + 1])`.
 */
export interface InteractionSequences {
  users: Int32Array;
  offsets: Int32Array;
  items: Int32Array;
  times: Float64Array;
}

export interface RelationSample {
  relationType: string;
  source: string;
  target: string;
  time: number | null;
  weight: number | null;
}

export interface StoredMedia extends MediaRow {
  entityId: number;
  index: number;
}

export interface MediaPage {
  page: number;
  pageSize: number;
  total: number;
  rows: StoredMedia[];
}

export type RunStatus = 'queued' | 'running' | 'paused' | 'cancelled' | 'failed' | 'done';

export interface NewRun {
  datasetId: number;
  model: string;
  config: Record<string, unknown>;
  seed: number;
  device: string;
  codeVersion: string;
}

export interface Run extends NewRun {
  id: number;
  status: RunStatus;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** training time, pauses excluded */
  seconds: number;
}

export interface RunSummary extends Run {
  /** the last value of each metric */
  metrics: Record<string, number | null>;
}

export interface MetricPoint {
  name: string;
  step: number;
  value: number;
}

export interface MetricSeries {
  steps: Float64Array;
  values: Float64Array;
}

export interface Checkpoint {
  id: number;
  runId: number;
  step: number;
  path: string | null;
  data: Uint8Array | null;
  createdAt: string;
}

/** Row-major vectors, `dim` floats per entity, in the order of `entityIds`. */
export interface EmbeddingMatrix {
  entityIds: Int32Array;
  dim: number;
  vectors: Float32Array;
}

export interface Projection {
  id: number;
  runId: number;
  method: string;
  params: Record<string, unknown>;
  createdAt: string;
}

/** x, y of entity `entityIds[k]` at `xy[2k]`, `xy[2k + 1]`. */
export interface ProjectionPoints extends Projection {
  entityIds: Int32Array;
  xy: Float32Array;
}

export interface Clustering {
  id: number;
  runId: number;
  method: string;
  params: Record<string, unknown>;
  createdAt: string;
}

export interface ClusterAssignments extends Clustering {
  entityIds: Int32Array;
  clusters: Int32Array;
}
