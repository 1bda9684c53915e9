import { parseOptions } from '../options.ts';
import { canonicalInteger, plainInteger } from '../read/byte-fields.ts';
import { key, number, timestamp } from '../read/fields.ts';
import { extension } from '../read/files.ts';
import { ImportMeter } from '../read/progress.ts';
import { type ByteRowHandler, readTable, resolveColumn, sniffTable } from '../read/table.ts';
import { type Importer, InputError } from '../types.ts';
import {
  interactionTableOptions,
  itemColumns,
  knownInteractionColumns,
  ratingColumns,
  timeColumns,
  userColumns,
} from './columns.ts';
import type { EntityKeys } from './entity-keys.ts';
import { InteractionLogWriter } from './interaction-log.ts';

/**
 * Generic CSV/TSV interaction log. Columns come from the header by name (`user`, `item_id`,
 * `timestamp`, `rating`...) or from the mapping options; without a header they are positional:
 * user, item[, time] for 2-3 columns and user, item, rating, time (MovieLens order) for 4 or more.
 */
export const csvInteractions: Importer = {
  format: 'csv',
  kind: 'interactions',
  description: 'CSV/TSV interaction log with a column mapping (user, item, time, optional rating)',
  async detect(paths) {
    return paths.length > 0 && paths.every((p) => ['csv', 'tsv'].includes(extension(p)));
  },
  async run(paths, ctx) {
    const options = parseOptions('csv', interactionTableOptions, ctx.options);
    const meter = await ImportMeter.forFiles(paths, ctx);
    const log = new InteractionLogWriter(ctx.session);
    for (const [f, file] of paths.entries()) {
      const shape = await sniffTable(file, { ...options, knownNames: knownInteractionColumns });
      const wide = shape.columns >= 4;
      const userAt = resolveColumn(shape, 'user', options.user, userColumns, 0);
      const itemAt = resolveColumn(shape, 'item', options.item, itemColumns, 1);
      const timeAt = resolveColumn(shape, 'time', options.time, timeColumns, wide ? 3 : 2);
      const ratingAt = resolveColumn(shape, 'rating', options.rating, ratingColumns, wide ? 2 : -1);
      if (userAt < 0 || itemAt < 0) {
        throw new InputError(
          file,
          1,
          userAt < 0 ? 'user' : 'item',
          `no ${userAt < 0 ? 'user' : 'item'} column in the header ${JSON.stringify(shape.header)}; name it with the mapping options`,
        );
      }
      const name = (at: number, role: string) =>
        shape.header ? shape.header[at] : `${role} (column ${at + 1})`;
      const userField = name(userAt, 'user');
      const itemField = name(itemAt, 'item');
      const timeField = timeAt >= 0 ? name(timeAt, 'time') : '';
      const ratingField = ratingAt >= 0 ? name(ratingAt, 'rating') : '';
      // integers straight from the bytes; any other text takes the string parsers and their errors
      const keyOf = (
        keys: EntityKeys,
        bytes: Buffer,
        bounds: Int32Array,
        at: number,
        line: number,
        field: string,
      ) => {
        const start = bounds[2 * at];
        const end = bounds[2 * at + 1];
        const n = canonicalInteger(bytes, start, end);
        return n >= 0
          ? keys.ofInteger(n)
          : keys.of(key(bytes.toString('utf8', start, end), file, line, field));
      };
      const numberOf = (
        parse: typeof number,
        bytes: Buffer,
        bounds: Int32Array,
        at: number,
        line: number,
        field: string,
      ) => {
        const start = bounds[2 * at];
        const end = bounds[2 * at + 1];
        const n = plainInteger(bytes, start, end);
        return Number.isNaN(n) ? parse(bytes.toString('utf8', start, end), file, line, field) : n;
      };
      const onByteRow: ByteRowHandler = (bytes, bounds, line) => {
        log.addByIdx(
          keyOf(log.users, bytes, bounds, userAt, line, userField),
          keyOf(log.items, bytes, bounds, itemAt, line, itemField),
          timeAt >= 0 ? numberOf(timestamp, bytes, bounds, timeAt, line, timeField) : Number.NaN,
          ratingAt >= 0 ? numberOf(number, bytes, bounds, ratingAt, line, ratingField) : Number.NaN,
        );
        return true;
      };
      await readTable(
        shape,
        ctx.signal,
        meter,
        (fields, line) => {
          log.add(
            key(fields[userAt], file, line, userField),
            key(fields[itemAt], file, line, itemField),
            timeAt >= 0 ? timestamp(fields[timeAt], file, line, timeField) : Number.NaN,
            ratingAt >= 0 ? number(fields[ratingAt], file, line, ratingField) : Number.NaN,
          );
        },
        onByteRow,
      );
      meter.endFile(meter.fileSizes[f]);
    }
    log.finish();
  },
};
