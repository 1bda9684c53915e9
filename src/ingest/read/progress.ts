import type { ImportProgress } from '../types.ts';
import { ImportCancelled } from '../types.ts';
import { type Input, statFile } from './input.ts';

/** Rows between progress events: often enough for a smooth bar, rare enough to cost nothing. */
export const progressEveryRows = 50_000;

/**
 * Counts rows and bytes over all files of one import, emits ImportProgress every
 * `progressEveryRows` rows and at the end of each file, and turns an aborted signal into ImportCancelled.
 */
export class ImportMeter {
  rows = 0;
  private bytesDone = 0;
  private bytesOfFile = 0;
  private nextEmit = progressEveryRows;
  private readonly started = performance.now();
  private file: string | undefined;

  constructor(
    private readonly totalBytes: number,
    private readonly emit: (p: ImportProgress) => void,
    private readonly signal: AbortSignal,
    /** each file's size in bytes, in the order given to `forFiles` (for `endFile`) */
    readonly fileSizes: readonly number[] = [],
  ) {}

  /** A meter over these files, sized from the disk so the ETA covers the whole import. */
  static async forFiles(
    files: readonly string[],
    ctx: { progress: (p: ImportProgress) => void; signal: AbortSignal },
  ): Promise<ImportMeter> {
    const sizes = await Promise.all(files.map((file) => statFile(file)));
    return new ImportMeter(
      sizes.reduce((a, b) => a + b, 0),
      ctx.progress,
      ctx.signal,
      sizes,
    );
  }

  /** Counts one row; cheap enough to call per row. */
  row(): void {
    if (++this.rows >= this.nextEmit) this.tick();
  }

  /** Counts `n` rows at once. */
  addRows(n: number): void {
    this.rows += n;
    if (this.rows >= this.nextEmit) this.tick();
  }

  /** Bytes read so far of the file being read (called per chunk by the record reader). */
  readInput(input: Input): void {
    this.file = input.file;
    this.bytesOfFile = input.bytesRead();
    if (this.signal.aborted) throw new ImportCancelled();
  }

  /** Closes a file: its bytes count as done and a progress event goes out. */
  endFile(size: number): void {
    this.bytesDone += size;
    this.bytesOfFile = 0;
    this.report();
  }

  checkCancelled(): void {
    if (this.signal.aborted) throw new ImportCancelled();
  }

  private tick(): void {
    this.nextEmit = this.rows + progressEveryRows;
    this.report();
  }

  private report(): void {
    if (this.signal.aborted) throw new ImportCancelled();
    const bytes = Math.min(this.totalBytes, this.bytesDone + this.bytesOfFile);
    const seconds = (performance.now() - this.started) / 1000;
    const etaSeconds = bytes > 0 && seconds > 0.2 ? (seconds * (this.totalBytes - bytes)) / bytes : null;
    this.emit({ rows: this.rows, bytes, totalBytes: this.totalBytes, etaSeconds, file: this.file });
  }
}
