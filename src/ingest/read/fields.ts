import { InputError } from '../types.ts';

// Every parser takes (text, file, line, field) rather than a site object: they run per field of
// millions of rows, and the error must still name file, line and field.

const integer = /^-?\d+$/;

/** An integer id kept as the source wrote it (keys are strings in the workspace). */
export function integerKey(text: string | undefined, file: string, line: number, field: string): string {
  const value = (text ?? '').trim();
  if (!integer.test(value)) {
    throw new InputError(file, line, field, `expected an integer id, got ${quote(text)}`);
  }
  return value;
}

/** A non-empty key (user, item, node id). */
export function key(text: string | undefined, file: string, line: number, field: string): string {
  const value = (text ?? '').trim();
  if (value.length === 0) throw new InputError(file, line, field, 'expected a key, got an empty field');
  return value;
}

/** A finite number (rating, weight). Empty gives NaN, the workspace's "absent". */
export function number(text: string | undefined, file: string, line: number, field: string): number {
  const value = (text ?? '').trim();
  if (value.length === 0) return Number.NaN;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InputError(file, line, field, `expected a number, got ${quote(text)}`);
  return n;
}

const isoDate = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A timestamp: a number (unix seconds as the source gives them) or an ISO 8601 date, as unix seconds. */
export function timestamp(text: string | undefined, file: string, line: number, field: string): number {
  const value = (text ?? '').trim();
  if (value.length === 0) {
    throw new InputError(file, line, field, 'expected a timestamp, got an empty field');
  }
  const n = Number(value);
  if (Number.isFinite(n)) return n;
  if (isoDate.test(value)) {
    const ms = Date.parse(value.includes(' ') ? value.replace(' ', 'T') : value);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  throw new InputError(
    file,
    line,
    field,
    `expected a timestamp (a number or an ISO 8601 date), got ${quote(text)}`,
  );
}

export function quote(text: string | undefined): string {
  if (text === undefined) return 'nothing';
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
}
