import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { EntityRow } from '../../workspace/types.ts';
import { parseOptions } from '../options.ts';
import { key, number, timestamp } from '../read/fields.ts';
import { expandPaths, extension, stem } from '../read/files.ts';
import { ImportMeter } from '../read/progress.ts';
import { readRecords } from '../read/records.ts';
import { type Importer, InputError } from '../types.ts';
import { InteractionLogWriter } from './interaction-log.ts';

const recboleOptions = z.object({
  user: z.string().default('user_id'),
  item: z.string().default('item_id'),
  rating: z.string().default('rating'),
  time: z.string().default('timestamp'),
});

/** One column of a RecBole atomic file header: `name:type`. */
interface AtomicColumn {
  name: string;
  type: 'token' | 'token_seq' | 'float' | 'float_seq';
}

function parseHeader(fields: string[], file: string): AtomicColumn[] {
  return fields.map((cell, j) => {
    const match = /^(.+):(token|token_seq|float|float_seq)$/.exec(cell.trim());
    if (!match) {
      throw new InputError(
        file,
        1,
        cell,
        `column ${j + 1}: expected a RecBole header "name:type" with type token, token_seq, float or float_seq`,
      );
    }
    return { name: match[1], type: match[2] as AtomicColumn['type'] };
  });
}

/** Reads an atomic file: header first, then rows handed over with their line. */
async function readAtomic(
  file: string,
  signal: AbortSignal,
  onChunk: Parameters<typeof readRecords>[1]['onChunk'],
  onRow: (columns: AtomicColumn[], fields: string[], line: number) => void,
): Promise<number> {
  let columns: AtomicColumn[] | null = null;
  let rows = 0;
  await readRecords(file, { delimiter: '\t', quotes: false, signal, onChunk }, (fields, line) => {
    if (columns === null) {
      columns = parseHeader(fields, file);
      return;
    }
    if (fields.length !== columns.length) {
      throw new InputError(
        file,
        line,
        null,
        `expected ${columns.length} tab-separated fields (as in the header), found ${fields.length}`,
      );
    }
    rows++;
    onRow(columns, fields, line);
  });
  if (columns === null) throw new InputError(file, null, null, 'file is empty; expected a typed header line');
  if (rows === 0)
    throw new InputError(file, 2, null, 'only a header, no rows; expected rows after the header');
  return rows;
}

function attributeValue(column: AtomicColumn, text: string, file: string, line: number): unknown {
  switch (column.type) {
    case 'float':
      return number(text, file, line, column.name);
    case 'float_seq':
      return text
        .split(' ')
        .filter(Boolean)
        .map((t) => number(t, file, line, column.name));
    case 'token_seq':
      return text.split(' ').filter(Boolean);
    default:
      return text;
  }
}

/** `.item`/`.user` rows: the id column is the key, a title/name column the label, the rest attributes. */
async function readDescriptions(file: string, idColumn: string, signal: AbortSignal) {
  const rows: { row: EntityRow; line: number }[] = [];
  await readAtomic(file, signal, undefined, (columns, fields, line) => {
    const id = columns.findIndex((c) => c.name === idColumn);
    if (id < 0) throw new InputError(file, 1, idColumn, `no ${idColumn} column in the header`);
    const labelAt = columns.findIndex((c) => /(^|_)(title|name)$/.test(c.name));
    const attributes: Record<string, unknown> = {};
    columns.forEach((c, j) => {
      if (j !== id && j !== labelAt) attributes[c.name] = attributeValue(c, fields[j], file, line);
    });
    rows.push({
      row: {
        key: key(fields[id], file, line, idColumn),
        label: labelAt >= 0 ? fields[labelAt] : null,
        attributes,
      },
      line,
    });
  });
  return rows;
}

/** RecBole atomic files: `.inter` events, and titles/attributes from `.item` and `.user` of the same name. */
export const recboleInteractions: Importer = {
  format: 'recbole',
  kind: 'interactions',
  description: 'RecBole atomic files: .inter (typed header) with .item titles/genres and .user attributes',
  async detect(paths) {
    const files = await expandPaths(paths).catch(() => []);
    return files.some((f) => extension(f) === 'inter');
  },
  async run(paths, ctx) {
    const options = parseOptions('recbole', recboleOptions, ctx.options);
    const files = (await expandPaths(paths)).filter((f) => extension(f) === 'inter');
    if (files.length === 0)
      throw new InputError(paths[0], null, null, 'no .inter file; expected RecBole atomic files');
    const meter = await ImportMeter.forFiles(files, ctx);
    const log = new InteractionLogWriter(ctx.session);
    for (const [type, suffix, idColumn] of [
      ['item', 'item', options.item],
      ['user', 'user', options.user],
    ] as const) {
      const described = join(dirname(files[0]), `${stem(files[0])}.${suffix}`);
      if (existsSync(described))
        log.describe(type, await readDescriptions(described, idColumn, ctx.signal), described);
    }
    for (const [f, file] of files.entries()) {
      let at: { user: number; item: number; rating: number; time: number } | null = null;
      await readAtomic(
        file,
        ctx.signal,
        (input) => meter.readInput(input),
        (columns, fields, line) => {
          if (at === null) {
            const find = (name: string) => columns.findIndex((c) => c.name === name);
            at = {
              user: find(options.user),
              item: find(options.item),
              rating: find(options.rating),
              time: find(options.time),
            };
            if (at.user < 0 || at.item < 0) {
              const missing = at.user < 0 ? options.user : options.item;
              throw new InputError(file, 1, missing, `no ${missing} column in the header`);
            }
          }
          log.add(
            key(fields[at.user], file, line, options.user),
            key(fields[at.item], file, line, options.item),
            at.time >= 0 ? timestamp(fields[at.time], file, line, options.time) : Number.NaN,
            at.rating >= 0 ? number(fields[at.rating], file, line, options.rating) : Number.NaN,
          );
          meter.row();
        },
      );
      meter.endFile(meter.fileSizes[f]);
    }
    log.finish();
  },
};
