import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AnalysisRepository } from './analyses.ts';
import type { Connection } from './connection.ts';
import { DatasetRepository } from './datasets.ts';
import { EmbeddingRepository } from './embeddings.ts';
import { EntityRepository } from './entities.ts';
import { WorkspaceError } from './errors.ts';
import { type ImportRequest, WorkspaceImportSession } from './import-session.ts';
import { MediaRepository } from './media.ts';
import { migrate, schemaVersion, userVersion } from './migrations.ts';
import { RelationRepository } from './relations.ts';
import { RunRepository } from './runs.ts';
import type { ImportSession } from './types.ts';

export interface OpenOptions {
  /**
   * workers and readers: no writes, the file must exist (an older file is migrated once through a
   * writing connection first)
   */
  readonly?: boolean;
}

/** How long a connection waits for another one's write lock before SQLITE_BUSY. */
const busyTimeoutMs = 10_000;
/** Page cache of an ordinary connection (negative: KiB). */
const cacheKiB = 64 << 10;
/** Page cache of an import's connection: a multi-million-row import keeps its B-tree pages hot. */
const importCacheKiB = 512 << 10;

function connect(path: string, readonly: boolean, cacheSizeKiB: number): Database.Database {
  const db = new Database(path, { readonly, fileMustExist: readonly });
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma(`cache_size = -${cacheSizeKiB}`);
    db.pragma('foreign_keys = ON');
    if (readonly) {
      db.pragma('query_only = ON');
    } else {
      db.pragma('journal_mode = WAL');
      // under WAL, NORMAL loses at most the last commits on power loss, never consistency
      db.pragma('synchronous = NORMAL');
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * One workspace file. Opened read-write by one process (the app or the CLI) and read-only by
 * workers; WAL lets readers go on reading the last committed state while an import or a run writes.
 */
export class Workspace {
  readonly datasets: DatasetRepository;
  readonly entities: EntityRepository;
  readonly relations: RelationRepository;
  readonly media: MediaRepository;
  readonly runs: RunRepository;
  readonly embeddings: EmbeddingRepository;
  readonly analyses: AnalysisRepository;
  private importing: ImportSession | null = null;

  private constructor(
    readonly path: string,
    readonly readonly: boolean,
    private readonly db: Database.Database,
  ) {
    const connection: Connection = { db, path, readonly };
    this.datasets = new DatasetRepository(connection);
    this.entities = new EntityRepository(connection);
    this.relations = new RelationRepository(connection);
    this.media = new MediaRepository(connection);
    this.runs = new RunRepository(connection);
    this.embeddings = new EmbeddingRepository(connection);
    this.analyses = new AnalysisRepository(connection);
  }

  static open(path: string, options: OpenOptions = {}): Workspace {
    const readonly = options.readonly ?? false;
    if (readonly && !existsSync(path)) throw new WorkspaceError(`${path}: no such workspace file`);
    const db = connect(path, readonly, cacheKiB);
    try {
      if (readonly) {
        const found = userVersion(db);
        if (found < schemaVersion) {
          // an older file read first by a reading command: migrated once through a writing
          // connection, then read as asked
          db.close();
          Workspace.open(path).close();
          return Workspace.open(path, options);
        }
        if (found !== schemaVersion) {
          throw new WorkspaceError(
            `${path}: workspace schema version ${found} is newer than this Constellation (${schemaVersion}); update Constellation to open it`,
          );
        }
      } else {
        migrate(db, path);
      }
    } catch (error) {
      if (db.open) db.close();
      throw error;
    }
    const workspace = new Workspace(path, readonly, db);
    if (!readonly) {
      try {
        workspace.runs.releaseAbandoned();
      } catch {
        // another connection held the write lock past the busy timeout: the runs stay as they
        // are until the next open, which tries again; opening must not fail for it
      }
    }
    return workspace;
  }

  /**
   * Starts an import of a new dataset. Everything it adds stays invisible to every other
   * connection, this workspace's included, until commit(); rollback() or a crash leaves the file as
   * it was. One import at a time: SQLite has one writer.
   */
  beginImport(request: ImportRequest): ImportSession {
    if (this.readonly) throw new WorkspaceError(`${this.path}: opened read-only; cannot import`);
    if (this.importing)
      throw new WorkspaceError(`${this.path}: another import is still running in this workspace`);
    const db = connect(this.path, false, importCacheKiB);
    try {
      const session = new WorkspaceImportSession(db, request, () => {
        this.importing = null;
        db.close();
      });
      this.importing = session;
      return session;
    } catch (error) {
      if (db.open) db.close();
      throw error;
    }
  }

  close(): void {
    if (this.importing) this.importing.rollback();
    this.db.close();
  }
}

export function openWorkspace(path: string, options: OpenOptions = {}): Workspace {
  return Workspace.open(path, options);
}
