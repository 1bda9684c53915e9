import type Database from 'better-sqlite3';

/**
 * The schema, one step per version. `PRAGMA user_version` records how many steps a file has seen;
 * a step is never edited once released, later changes append a new one.
 *
 * Shape, for every model alike: a dataset owns typed entities and typed relations (an interaction
 * log is user -> item relations with a time, a network is typed relations without one, an image or
 * clip is an entity with one media row); runs own everything a training produces.
 */
const migrations: readonly string[] = [
  `
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('network', 'interactions', 'images', 'videos')),
    source TEXT NOT NULL CHECK (json_valid(source)),
    created_at TEXT NOT NULL,
    stats TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(stats))
  );

  CREATE TABLE entity_types (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    UNIQUE (dataset_id, name)
  );

  -- idx numbers the entities of one type 0..n-1 in order of first appearance: relations, CSR
  -- arrays and model vocabularies all use it. id is the workspace-wide handle runs refer to.
  CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    type_id INTEGER NOT NULL REFERENCES entity_types (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    key TEXT NOT NULL,
    label TEXT,
    attributes TEXT CHECK (attributes IS NULL OR json_valid(attributes)),
    class_label TEXT,
    UNIQUE (type_id, key),
    UNIQUE (type_id, idx)
  );

  CREATE TABLE relation_types (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    source_type_id INTEGER NOT NULL REFERENCES entity_types (id) ON DELETE CASCADE,
    target_type_id INTEGER NOT NULL REFERENCES entity_types (id) ON DELETE CASCADE,
    UNIQUE (dataset_id, name)
  );

  -- source and target are entity idx values of the relation type's source and target types; seq
  -- is file order within the relation type. Clustered on (relation_type_id, seq) because every
  -- reader takes a whole relation type in file order. No per-row foreign key and no secondary
  -- index: both cost more than the bulk insert itself (see bench-import.ts); the import session
  -- checks every idx against the entities it created, and the trigger below does the cascade.
  CREATE TABLE relations (
    relation_type_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    source INTEGER NOT NULL,
    target INTEGER NOT NULL,
    time REAL,
    weight REAL,
    PRIMARY KEY (relation_type_id, seq)
  ) WITHOUT ROWID;

  CREATE TRIGGER relation_types_delete_relations AFTER DELETE ON relation_types BEGIN
    DELETE FROM relations WHERE relation_type_id = OLD.id;
  END;

  CREATE TABLE media (
    entity_id INTEGER PRIMARY KEY REFERENCES entities (id) ON DELETE CASCADE,
    encoding TEXT NOT NULL CHECK (encoding IN ('png', 'jpeg', 'webp', 'gif', 'raw-u8')),
    bytes BLOB NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    frames INTEGER NOT NULL
  );

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    config TEXT NOT NULL CHECK (json_valid(config)),
    seed INTEGER NOT NULL,
    device TEXT NOT NULL,
    code_version TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued'
      CHECK (status IN ('queued', 'running', 'paused', 'cancelled', 'failed', 'done')),
    error TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    seconds REAL NOT NULL DEFAULT 0
  );
  CREATE INDEX runs_by_dataset ON runs (dataset_id);

  CREATE TABLE run_metrics (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    step INTEGER NOT NULL,
    value REAL,
    PRIMARY KEY (run_id, name, step)
  ) WITHOUT ROWID;

  CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    path TEXT,
    data BLOB,
    created_at TEXT NOT NULL,
    CHECK ((path IS NULL) <> (data IS NULL))
  );
  CREATE INDEX checkpoints_by_run ON checkpoints (run_id, step);

  -- Run artefacts reference entities by id without a foreign key: they belong to a run of the same
  -- dataset, so the run's cascade removes them, and a key on entity_id would make every entity
  -- delete search these tables.
  -- Embeddings are stored in chunks of consecutive entity ids (entity_ids: int32, vectors: float32
  -- row-major), in a rowid table: large BLOBs in a WITHOUT ROWID table read 2.7x slower (see
  -- embeddings.ts for the measurements).
  CREATE TABLE embeddings (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    first_entity_id INTEGER NOT NULL,
    last_entity_id INTEGER NOT NULL,
    dim INTEGER NOT NULL,
    entity_ids BLOB NOT NULL,
    vectors BLOB NOT NULL,
    UNIQUE (run_id, first_entity_id)
  );

  CREATE TABLE projections (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    method TEXT NOT NULL,
    params TEXT NOT NULL CHECK (json_valid(params)),
    created_at TEXT NOT NULL
  );
  CREATE INDEX projections_by_run ON projections (run_id);

  CREATE TABLE projection_points (
    projection_id INTEGER NOT NULL REFERENCES projections (id) ON DELETE CASCADE,
    entity_id INTEGER NOT NULL,
    x REAL NOT NULL,
    y REAL NOT NULL,
    PRIMARY KEY (projection_id, entity_id)
  ) WITHOUT ROWID;

  CREATE TABLE clusterings (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    method TEXT NOT NULL,
    params TEXT NOT NULL CHECK (json_valid(params)),
    created_at TEXT NOT NULL
  );
  CREATE INDEX clusterings_by_run ON clusterings (run_id);

  CREATE TABLE cluster_assignments (
    clustering_id INTEGER NOT NULL REFERENCES clusterings (id) ON DELETE CASCADE,
    entity_id INTEGER NOT NULL,
    cluster INTEGER NOT NULL,
    PRIMARY KEY (clustering_id, entity_id)
  ) WITHOUT ROWID;
  `,
  // 2: which process is training a running run (host and pid), so a run whose process was killed
  // or crashed is found on the next open instead of showing "running" forever
  `
  ALTER TABLE runs ADD COLUMN owner_host TEXT;
  ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
  `,
];

/** The schema version this build writes. */
export const schemaVersion = migrations.length;

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings a read-write workspace to `schemaVersion`, each step in its own transaction so a failure
 * leaves the file at the last complete version. Opening an up-to-date file does nothing.
 */
export function migrate(db: Database.Database, file: string): void {
  const found = userVersion(db);
  if (found > schemaVersion) {
    throw new Error(
      `${file}: workspace schema version ${found} is newer than this Constellation (${schemaVersion}); update Constellation to open it`,
    );
  }
  for (let version = found; version < schemaVersion; version++) {
    db.transaction(() => {
      db.exec(migrations[version]);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
