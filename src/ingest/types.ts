import type { DatasetKind, ImportSession } from '../workspace/types.ts';

/** Progress of a long import, emitted every few thousand rows. */
export interface ImportProgress {
  rows: number;
  bytes: number;
  totalBytes: number;
  /** seconds left, estimated from bytes read so far; null until known */
  etaSeconds: number | null;
  file?: string;
}

export interface ImportContext {
  session: ImportSession;
  /** user options: column mapping, delimiter, skip-corrupt policy... (validated by each importer's schema) */
  options: Record<string, unknown>;
  progress: (p: ImportProgress) => void;
  /** aborting throws ImportCancelled from the importer; the caller rolls back */
  signal: AbortSignal;
}

/**
 * An importer is a declarative descriptor, like Gephi Lite's layouts: the registry lists them,
 * the CLI and the import wizard read `format`, `kind` and `detect` without knowing the code.
 */
export interface Importer {
  format: string;
  kind: DatasetKind;
  description: string;
  /** true when these paths look like this format (cheap: names and first bytes only) */
  detect(paths: readonly string[]): Promise<boolean>;
  run(paths: readonly string[], ctx: ImportContext): Promise<void>;
}

/** A user-facing input error: names the file, the line (1-based) and the field. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly field: string | null,
    readonly problem: string,
  ) {
    super(`${file}${line != null ? `:${line}` : ''}${field ? ` (${field})` : ''}: ${problem}`);
    this.name = 'InputError';
  }
}

export class ImportCancelled extends Error {
  constructor() {
    super('import cancelled; the workspace is unchanged');
    this.name = 'ImportCancelled';
  }
}
