import type { FileHandle } from 'node:fs/promises';
import type { EmbeddingTable } from './embedding-table.ts';

/** Text is flushed to the file in pieces of about this many characters: an export can be gigabytes. */
const CHUNK_CHARS = 1 << 20;

async function writeLines(file: FileHandle, count: number, line: (row: number) => string): Promise<void> {
  let chunk = '';
  for (let row = 0; row < count; row++) {
    chunk += `${line(row)}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      await file.write(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) await file.write(chunk);
}

/**
 * vectors.tsv as TensorBoard's projector reads it: one row per entity, no header, values tab
 * separated. Each float32 is printed as the shortest decimal of its exact double value, so
 * Math.fround(parseFloat(text)) gives the same float32 back.
 */
export function writeProjectorVectors(file: FileHandle, table: EmbeddingTable): Promise<void> {
  const { vectors, dim } = table;
  return writeLines(file, table.keys.length, (row) => {
    const parts = new Array<string>(dim);
    for (let j = 0; j < dim; j++) parts[j] = String(vectors[row * dim + j]);
    return parts.join('\t');
  });
}

/** The projector has no quoting: a tab or newline inside a label would shift every column after it. */
const cell = (value: string | null | undefined): string => (value ?? '').replace(/[\t\r\n]+/g, ' ');

/**
 * metadata.tsv as the projector reads it: a header row only when there is more than one column
 * (with a single column the projector takes every line as a label). Columns: key, then type,
 * label and class when given.
 */
export function writeProjectorMetadata(file: FileHandle, table: EmbeddingTable): Promise<void> {
  const columns: [string, readonly (string | null)[]][] = [['key', table.keys]];
  if (table.types) columns.push(['type', table.types]);
  if (table.labels) columns.push(['label', table.labels]);
  if (table.classes) columns.push(['class', table.classes]);
  const header = columns.length > 1 ? 1 : 0;
  return writeLines(file, table.keys.length + header, (row) =>
    row < header
      ? columns.map(([name]) => name).join('\t')
      : columns.map(([, values]) => cell(values[row - header])).join('\t'),
  );
}
