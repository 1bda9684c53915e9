import { parseOptions } from '../options.ts';
import { key, number, timestamp } from '../read/fields.ts';
import { extension } from '../read/files.ts';
import { statFile } from '../read/input.ts';
import { ImportMeter } from '../read/progress.ts';
import { readTable, resolveColumn, sniffTable } from '../read/table.ts';
import { type Importer, InputError } from '../types.ts';
import {
  interactionTableOptions,
  itemColumns,
  knownInteractionColumns,
  ratingColumns,
  timeColumns,
  userColumns,
} from './columns.ts';
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
    const sizes = await Promise.all(paths.map((p) => statFile(p)));
    const meter = new ImportMeter(
      sizes.reduce((a, b) => a + b, 0),
      ctx.progress,
      ctx.signal,
    );
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
      await readTable(shape, ctx.signal, meter, (fields, line) => {
        log.add(
          key(fields[userAt], file, line, userField),
          key(fields[itemAt], file, line, itemField),
          timeAt >= 0 ? timestamp(fields[timeAt], file, line, timeField) : Number.NaN,
          ratingAt >= 0 ? number(fields[ratingAt], file, line, ratingField) : Number.NaN,
        );
      });
      meter.endFile(sizes[f]);
    }
    log.finish();
  },
};
