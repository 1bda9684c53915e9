import { z } from 'zod';
import { parseOptions } from '../options.ts';
import { key, number, quote, timestamp } from '../read/fields.ts';
import { extension } from '../read/files.ts';
import { ImportMeter } from '../read/progress.ts';
import { readRecords } from '../read/records.ts';
import { type Importer, InputError } from '../types.ts';
import { itemColumns, ratingColumns, timeColumns, userColumns } from './columns.ts';
import { InteractionLogWriter } from './interaction-log.ts';

const jsonlOptions = z.object({
  user: z.string().optional(),
  item: z.string().optional(),
  time: z.string().optional(),
  rating: z.string().optional(),
});

/** The first property of `row` whose lower-cased name is among `names`. */
function findField(row: Record<string, unknown>, names: readonly string[]): string | undefined {
  return Object.keys(row).find((k) => names.includes(k.toLowerCase()));
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return value === undefined || value === null ? undefined : JSON.stringify(value);
}

/** JSON Lines: one object per line with user, item and optional time and rating properties. */
export const jsonlInteractions: Importer = {
  format: 'jsonl',
  kind: 'interactions',
  description: 'JSON Lines interaction log: one {"user", "item", "timestamp", "rating"} object per line',
  async detect(paths) {
    return paths.length > 0 && paths.every((p) => ['jsonl', 'ndjson'].includes(extension(p)));
  },
  async run(paths, ctx) {
    const options = parseOptions('jsonl', jsonlOptions, ctx.options);
    const meter = await ImportMeter.forFiles(paths, ctx);
    const log = new InteractionLogWriter(ctx.session);
    for (const [f, file] of paths.entries()) {
      let names: { user: string; item: string; time?: string; rating?: string } | null = null;
      let rows = 0;
      await readRecords(
        file,
        { delimiter: null, quotes: false, signal: ctx.signal, onChunk: (input) => meter.readInput(input) },
        ([line_], line) => {
          let row: unknown;
          try {
            row = JSON.parse(line_);
          } catch (error) {
            throw new InputError(file, line, null, `invalid JSON: ${(error as Error).message}`);
          }
          if (typeof row !== 'object' || row === null || Array.isArray(row)) {
            throw new InputError(file, line, null, `expected a JSON object, got ${quote(line_)}`);
          }
          const record = row as Record<string, unknown>;
          if (names === null) {
            // the first object fixes which properties play which role
            const user = options.user ?? findField(record, userColumns);
            const item = options.item ?? findField(record, itemColumns);
            if (user === undefined || item === undefined) {
              throw new InputError(
                file,
                line,
                user === undefined ? 'user' : 'item',
                `no ${user === undefined ? 'user' : 'item'} property among ${JSON.stringify(Object.keys(record))}; name it with the mapping options`,
              );
            }
            names = {
              user,
              item,
              time: options.time ?? findField(record, timeColumns),
              rating: options.rating ?? findField(record, ratingColumns),
            };
          }
          log.add(
            key(text(record[names.user]), file, line, names.user),
            key(text(record[names.item]), file, line, names.item),
            names.time ? timestamp(text(record[names.time]), file, line, names.time) : Number.NaN,
            names.rating ? number(text(record[names.rating]), file, line, names.rating) : Number.NaN,
          );
          rows++;
          meter.row();
        },
      );
      if (rows === 0)
        throw new InputError(file, null, null, 'file is empty; expected one JSON object per line');
      meter.endFile(meter.fileSizes[f]);
    }
    log.finish();
  },
};
