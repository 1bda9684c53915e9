import { InputError } from '../types.ts';
import { splitFields } from './byte-fields.ts';
import { headLines } from './files.ts';
import type { ImportMeter } from './progress.ts';
import { type LineHandler, readRecords } from './records.ts';

/** How a delimited file is laid out, sniffed from its first lines unless the user says. */
export interface TableShape {
  file: string;
  /** ',', '\t', ';', '|' or 'whitespace' */
  delimiter: string;
  quotes: boolean;
  /** column names when the first line is a header */
  header: string[] | null;
  /** fields per row (the header's or the first row's) */
  columns: number;
}

export interface TableOptions {
  delimiter?: string;
  header?: boolean;
  quotes?: boolean;
  /** column names that, found in line 1, make it a header */
  knownNames?: readonly string[];
}

const candidates = ['\t', ',', ';', '|', 'whitespace'] as const;

function split(line: string, delimiter: string): string[] {
  return delimiter === 'whitespace' ? line.trim().split(/[ \t]+/) : line.split(delimiter);
}

export function describeDelimiter(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : delimiter === 'whitespace' ? 'spaces' : `"${delimiter}"`;
}

/** A header cell's plain name: lower case, without a RecBole type suffix (`user_id:token` -> `user_id`). */
export function columnName(cell: string): string {
  return cell
    .trim()
    .replace(/:[a-z_]+$/i, '')
    .toLowerCase();
}

const numeric = (text: string) => text.trim() !== '' && Number.isFinite(Number(text));

/** Sniffs delimiter, header and column count from the first lines of `file`. */
export async function sniffTable(file: string, options: TableOptions = {}): Promise<TableShape> {
  const lines = (await headLines(file, 20)).filter((l) => l.trim().length > 0);
  if (lines.length === 0) throw new InputError(file, null, null, 'file is empty; expected delimited rows');
  let delimiter = options.delimiter;
  if (delimiter === '\\t' || delimiter === 'tab') delimiter = '\t';
  if (delimiter === undefined) {
    // the first candidate that splits every sampled line into the same number (>= 2) of fields
    const sample = lines.slice(0, 10).filter((l) => !l.includes('"'));
    const probe = sample.length > 0 ? sample : lines.slice(0, 1);
    // prefer a candidate that splits every sampled line alike; else the first that splits line 1
    // (a later row with a wrong field count is then reported with its line)
    const splits = (d: string) => split(probe[0], d).length >= 2;
    delimiter =
      candidates.find(
        (d) => splits(d) && probe.every((l) => split(l, d).length === split(probe[0], d).length),
      ) ?? candidates.find(splits);
    if (delimiter === undefined) {
      throw new InputError(
        file,
        1,
        null,
        'found no delimiter: expected fields separated by ",", tab, ";", "|" or spaces (or pass a delimiter option)',
      );
    }
  }
  const quotes = options.quotes ?? (delimiter === ',' || delimiter === ';');
  const first = split(lines[0], delimiter);
  const second = lines.length > 1 ? split(lines[1], delimiter) : null;
  const known = new Set(options.knownNames ?? []);
  const header =
    options.header ??
    (first.some((cell) => known.has(columnName(cell))) ||
      (second !== null &&
        first.some((cell, j) => !numeric(cell) && second[j] !== undefined && numeric(second[j]))));
  if (first.length < 2) {
    throw new InputError(
      file,
      1,
      null,
      `expected at least 2 fields separated by ${describeDelimiter(delimiter)}, found 1 (wrong delimiter?)`,
    );
  }
  return {
    file,
    delimiter,
    quotes,
    header: header ? first.map((c) => c.trim()) : null,
    columns: first.length,
  };
}

/**
 * The index of a column: `spec` names a header column or gives a 1-based column number; without
 * a spec, the first header column whose name is in `defaults`, else `fallback` (0-based, -1 for none).
 */
export function resolveColumn(
  shape: TableShape,
  role: string,
  spec: string | number | undefined,
  defaults: readonly string[],
  fallback: number,
): number {
  if (spec !== undefined && spec !== '') {
    const asNumber = typeof spec === 'number' ? spec : /^\d+$/.test(spec) ? Number(spec) : null;
    if (asNumber !== null && (shape.header === null || typeof spec === 'number')) {
      if (asNumber < 1 || asNumber > shape.columns) {
        throw new InputError(
          shape.file,
          1,
          role,
          `column ${asNumber} does not exist; the file has ${shape.columns} columns (numbered from 1)`,
        );
      }
      return asNumber - 1;
    }
    const wanted = columnName(String(spec));
    const index = shape.header?.findIndex((c) => columnName(c) === wanted) ?? -1;
    if (index < 0) {
      throw new InputError(
        shape.file,
        1,
        role,
        `no column "${spec}" in the header; the columns are ${JSON.stringify(shape.header ?? [])}`,
      );
    }
    return index;
  }
  if (shape.header) {
    const index = shape.header.findIndex((c) => defaults.includes(columnName(c)));
    if (index >= 0) return index;
    if (fallback >= 0 && shape.header.every((c) => !defaults.includes(columnName(c)))) {
      // a header that names none of the usual columns: fall back to position
      return fallback < shape.columns ? fallback : -1;
    }
    return -1;
  }
  return fallback < shape.columns ? fallback : -1;
}

/**
 * A row read from bytes: field k of `bytes` spans bounds[2k] to bounds[2k+1], unquoted and
 * untrimmed. Returns false (before any side effect) to have the row read as strings instead.
 */
export type ByteRowHandler = (bytes: Buffer, bounds: Int32Array, line: number) => boolean;

/**
 * Streams the rows of a sniffed table (the header skipped), checking each row's field count.
 * With `onByteRow`, rows of a one-byte delimiter without quotes go there first and only the rest
 * are split into strings for `onRow`. Throws when the file has no rows at all.
 */
export async function readTable(
  shape: TableShape,
  signal: AbortSignal,
  meter: ImportMeter,
  onRow: (fields: string[], line: number) => void,
  onByteRow?: ByteRowHandler,
): Promise<number> {
  let rows = 0;
  let sawHeader = shape.header === null;
  const { file, columns, delimiter } = shape;
  let onLine: LineHandler | undefined;
  if (onByteRow && delimiter.length === 1 && delimiter.charCodeAt(0) < 0x80) {
    const delimiterByte = delimiter.charCodeAt(0);
    const bounds = new Int32Array(2 * columns);
    onLine = (bytes, start, end, line) => {
      // the header and rows with the wrong field count take the string path (and its error)
      if (!sawHeader) return false;
      if (splitFields(bytes, start, end, delimiterByte, shape.quotes, bounds) !== columns) return false;
      if (!onByteRow(bytes, bounds, line)) return false;
      rows++;
      meter.row();
      return true;
    };
  }
  await readRecords(
    file,
    { delimiter, quotes: shape.quotes, signal, onChunk: (input) => meter.readInput(input), onLine },
    (fields, line) => {
      if (!sawHeader) {
        sawHeader = true;
        return;
      }
      if (fields.length !== columns) {
        throw new InputError(
          file,
          line,
          null,
          `expected ${columns} fields separated by ${describeDelimiter(delimiter)} (as in line 1), found ${fields.length}`,
        );
      }
      rows++;
      onRow(fields, line);
      meter.row();
    },
  );
  if (rows === 0) {
    throw new InputError(
      file,
      shape.header ? 2 : 1,
      null,
      shape.header ? 'only a header, no rows; expected rows after the header' : 'no rows',
    );
  }
  return rows;
}
