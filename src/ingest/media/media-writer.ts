import type { EntityRow, MediaRow } from '../../workspace/types.ts';
import { ImportCancelled, type ImportContext, InputError } from '../types.ts';

/** Rows per addEntities/addMedia call: large enough to amortise statement overhead, small enough to bound memory. */
const BATCH_ROWS = 512;
/** Raw clips are megabytes each: a batch also ends at this many media bytes. */
const BATCH_BYTES = 64 << 20;
/** Progress is throttled so a 70k-image import does not flood the UI with events. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Feeds media entities into an import session in batches, reports progress (rows, bytes read,
 * ETA from bytes) and turns an aborted signal into ImportCancelled between items.
 */
export class MediaWriter {
  private entities: EntityRow[] = [];
  private media: MediaRow[] = [];
  private batchBytes = 0;
  private rows = 0;
  private bytes = 0;
  private readonly started = performance.now();
  private lastProgress = 0;

  constructor(
    private readonly ctx: ImportContext,
    readonly entityType: 'image' | 'clip',
    private readonly totalBytes: number,
  ) {}

  /** Throws ImportCancelled when the user has cancelled; call between items of work. */
  checkCancelled(): void {
    if (this.ctx.signal.aborted) throw new ImportCancelled();
  }

  add(entity: EntityRow, media: MediaRow): void {
    this.checkCancelled();
    this.entities.push(entity);
    this.media.push(media);
    this.batchBytes += media.bytes.byteLength;
    this.rows++;
    if (this.entities.length >= BATCH_ROWS || this.batchBytes >= BATCH_BYTES) this.flush();
  }

  /** Records bytes consumed from the source files (compressed bytes for gzip input). */
  advance(bytes: number, file?: string): void {
    this.bytes += bytes;
    const now = performance.now();
    if (now - this.lastProgress >= PROGRESS_INTERVAL_MS) this.report(file);
  }

  /** Writes what is left and emits a final progress event; an import that found nothing is an error. */
  finish(source: string): void {
    if (this.rows === 0) throw new InputError(source, null, null, `holds no readable ${this.entityType}s`);
    this.flush();
    this.report();
  }

  private flush(): void {
    if (this.entities.length === 0) return;
    this.ctx.session.addEntities(this.entityType, this.entities);
    this.ctx.session.addMedia(this.entityType, this.media);
    this.entities = [];
    this.media = [];
    this.batchBytes = 0;
  }

  private report(file?: string): void {
    this.lastProgress = performance.now();
    const seconds = (this.lastProgress - this.started) / 1000;
    const rate = seconds > 0 ? this.bytes / seconds : 0;
    const left = Math.max(0, this.totalBytes - this.bytes);
    this.ctx.progress({
      rows: this.rows,
      bytes: this.bytes,
      totalBytes: this.totalBytes,
      etaSeconds: this.bytes > 0 && rate > 0 ? left / rate : null,
      ...(file != null ? { file } : {}),
    });
  }
}
