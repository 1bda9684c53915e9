import { isUtf8 } from 'node:buffer';
import { parse as parseCsv } from 'csv-parse/sync';
import { ImportCancelled, InputError } from '../types.ts';
import { type Input, openInput } from './input.ts';

/** Longest line (or quoted multi-line record) accepted; a longer one is an error, not an out-of-memory crash. */
export const maxRecordBytes = 1 << 20;

/** A separator string, 'whitespace' (runs of spaces and tabs), or null for whole lines (JSON Lines). */
export type Delimiter = string | null;

export interface RecordOptions {
  delimiter: Delimiter;
  /** RFC 4180 quoting: a field in double quotes may hold delimiters, quotes ("") and newlines */
  quotes: boolean;
  signal: AbortSignal;
  /** latin1 for legacy files (MovieLens u.item); utf8 is validated and an invalid byte is an error */
  encoding?: 'utf8' | 'latin1';
  maxRecordBytes?: number;
  /** called after each chunk with the input, to report progress */
  onChunk?: (input: Input) => void;
  /**
   * Offered each non-blank line outside quotes first, as bytes (CR dropped, UTF-8 already
   * checked) and its 1-based number: returning true consumes it, false sends it on as strings to
   * `onRecord`. Lets a format read its plain lines without a string per field.
   */
  onLine?: LineHandler;
}

/** Reads `bytes[start, end)`, line `line`; false (before any side effect) hands it to the string path. */
export type LineHandler = (bytes: Buffer, start: number, end: number, line: number) => boolean;

/** Receives one record: its fields and the 1-based line it starts on. Throwing stops the read. */
export type RecordHandler = (fields: string[], line: number) => void;

const byteOrderMark = Buffer.from([0xef, 0xbb, 0xbf]);

function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(bytes < 1 << 20 ? 2 : 0)} MiB`;
}

/**
 * Streams the delimited records of a text file (plain or gzip) into `onRecord`.
 *
 * Lines are split in bulk per 1 MiB chunk and only lines holding a quote go through csv-parse:
 * measured on a 5M-row file, csv-parse alone was the largest single cost of an import.
 * Blank lines are skipped but counted, a leading BOM is dropped, CRLF is accepted.
 */
export async function readRecords(
  file: string,
  options: RecordOptions,
  onRecord: RecordHandler,
): Promise<void> {
  const input = await openInput(file);
  const limit = options.maxRecordBytes ?? maxRecordBytes;
  const { delimiter, quotes, signal, onLine } = options;
  const encoding = options.encoding ?? 'utf8';
  const whitespace = /[ \t]+/;
  let line = 0; // lines fully consumed so far
  let leftover: Buffer | null = null;
  let first = true;
  // a quoted record still open at the end of a line: its text so far and its first line
  let pending: string | null = null;
  let pendingLine = 0;

  const tooLong = (at: number) =>
    new InputError(
      file,
      at,
      null,
      `line is longer than ${mib(limit)}; expected one record per line (is this a text file with the right delimiter?)`,
    );

  const emitQuoted = (text: string, at: number) => {
    let rows: string[][];
    try {
      rows = parseCsv(text, {
        delimiter: delimiter ?? ',',
        relax_column_count: true,
        bom: false,
        record_delimiter: ['\n', '\r\n'],
      });
    } catch (error) {
      throw new InputError(file, at, null, `malformed quoted field: ${(error as Error).message}`);
    }
    if (rows.length > 0) onRecord(rows[0], at);
  };

  const consumeLine = (text: string) => {
    line++;
    if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    if (pending !== null) {
      pending += `\n${text}`;
      if (pending.length > limit) throw tooLong(pendingLine);
      if (countQuotes(text) % 2 === 1) {
        emitQuoted(pending, pendingLine);
        pending = null;
      }
      return;
    }
    if (text.length === 0) return;
    if (quotes && delimiter !== null && text.includes('"')) {
      if (countQuotes(text) % 2 === 1) {
        pending = text;
        pendingLine = line;
      } else emitQuoted(text, line);
      return;
    }
    if (delimiter === null) onRecord([text], line);
    else if (delimiter === 'whitespace') {
      const trimmed = text.trim();
      if (trimmed.length > 0) onRecord(trimmed.split(whitespace), line);
    } else onRecord(text.split(delimiter), line);
  };

  const consumeBytes = (bytes: Buffer) => {
    if (first) {
      first = false;
      if (bytes.subarray(0, 3).equals(byteOrderMark)) bytes = bytes.subarray(3);
    }
    if (encoding === 'utf8' && !isUtf8(bytes)) throw invalidUtf8(file, bytes, line);
    if (onLine) {
      consumeLinesOf(bytes, onLine);
      return;
    }
    const lines = bytes.toString(encoding).split('\n');
    // the chunk ends with a newline, so the last piece is empty unless this is the file's unterminated tail
    const count = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
    for (let i = 0; i < count; i++) {
      if (lines[i].length > limit) throw tooLong(line + 1);
      consumeLine(lines[i]);
    }
  };

  const consumeLinesOf = (bytes: Buffer, handler: LineHandler) => {
    const size = bytes.length;
    for (let start = 0; start < size; ) {
      let end = bytes.indexOf(10, start);
      if (end < 0) end = size;
      const stop = end > start && bytes[end - 1] === 13 ? end - 1 : end;
      if (stop - start > limit) throw tooLong(line + 1);
      if (pending === null && stop > start && handler(bytes, start, stop, line + 1)) line++;
      else consumeLine(bytes.toString(encoding, start, end));
      start = end + 1;
    }
  };

  try {
    for await (const chunk of input.chunks) {
      if (signal.aborted) throw new ImportCancelled();
      // before the rows: progress events raised by them count this chunk as read
      options.onChunk?.(input);
      let bytes: Buffer = chunk;
      if (leftover) {
        // only the line cut by the chunk boundary is joined: copying whole chunks showed in profiles
        const newline = chunk.indexOf(10);
        if (newline < 0) {
          leftover = Buffer.concat([leftover, chunk]);
          if (leftover.length > limit) throw tooLong(line + 1);
          continue;
        }
        consumeBytes(Buffer.concat([leftover, chunk.subarray(0, newline + 1)]));
        leftover = null;
        bytes = chunk.subarray(newline + 1);
      }
      const lastNewline = bytes.lastIndexOf(10);
      if (lastNewline < 0) {
        leftover = bytes.length > 0 ? bytes : null;
      } else {
        leftover = lastNewline + 1 < bytes.length ? Buffer.from(bytes.subarray(lastNewline + 1)) : null;
        bytes = bytes.subarray(0, lastNewline + 1);
        consumeBytes(bytes);
      }
      if (leftover && leftover.length > limit) throw tooLong(line + 1);
    }
    if (leftover) consumeBytes(leftover);
    if (pending !== null) {
      throw new InputError(file, pendingLine, null, 'quoted field is never closed; expected a closing "');
    }
  } catch (error) {
    if (error instanceof InputError && error.line === null && error.file === file) {
      throw new InputError(file, line + 1, error.field, error.problem);
    }
    throw error;
  }
}

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) n++;
  return n;
}

/** Names the first line of `bytes` holding invalid UTF-8 (the slow path runs only on failure). */
function invalidUtf8(file: string, bytes: Buffer, linesBefore: number): InputError {
  let start = 0;
  for (let line = linesBefore + 1; start < bytes.length; line++) {
    const end = bytes.indexOf(10, start);
    const stop = end < 0 ? bytes.length : end;
    const text = bytes.subarray(start, stop);
    if (!isUtf8(text)) {
      // the decoder replaces the first bad byte with U+FFFD; its byte offset is what the user needs
      const decoded = text.toString('utf8');
      const column = Buffer.byteLength(decoded.slice(0, Math.max(0, decoded.indexOf('\uFFFD'))));
      return new InputError(
        file,
        line,
        null,
        `invalid UTF-8 near byte ${column + 1} of the line; expected UTF-8 text (re-save the file as UTF-8)`,
      );
    }
    start = stop + 1;
  }
  return new InputError(file, linesBefore + 1, null, 'invalid UTF-8; expected UTF-8 text');
}
