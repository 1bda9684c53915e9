import type Database from 'better-sqlite3';
import { WorkspaceError } from './errors.ts';

/** What every repository of one open workspace shares. */
export interface Connection {
  db: Database.Database;
  path: string;
  readonly: boolean;
}

export function assertWritable(connection: Connection, action: string): void {
  if (connection.readonly) throw new WorkspaceError(`${connection.path}: opened read-only; cannot ${action}`);
}

/** Typed arrays are stored as their bytes (little-endian on every platform Constellation ships on). */
export function bytesOf(array: ArrayBufferView): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}
