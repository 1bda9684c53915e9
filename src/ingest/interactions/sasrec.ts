import { integerKey } from '../read/fields.ts';
import { extension, headLines } from '../read/files.ts';
import { ImportMeter } from '../read/progress.ts';
import { readRecords } from '../read/records.ts';
import { type Importer, InputError } from '../types.ts';
import { InteractionLogWriter } from './interaction-log.ts';

const pairLine = /^\d+ \d+$/;

/**
 * SASRec/BERT4Rec `user item` lines: integer ids separated by a space, each user's items in time
 * order. There is no timestamp, so file order is the sequence order.
 */
export const sasrecInteractions: Importer = {
  format: 'sasrec',
  kind: 'interactions',
  description: 'SASRec/BERT4Rec "user item" lines in time order (no timestamps)',
  async detect(paths) {
    if (paths.length !== 1 || !['txt', ''].includes(extension(paths[0]))) return false;
    const lines = await headLines(paths[0]);
    return lines.length > 0 && lines.every((l) => pairLine.test(l));
  },
  async run(paths, ctx) {
    const meter = await ImportMeter.forFiles(paths, ctx);
    const log = new InteractionLogWriter(ctx.session);
    for (const [f, file] of paths.entries()) {
      let rows = 0;
      await readRecords(
        file,
        {
          delimiter: 'whitespace',
          quotes: false,
          signal: ctx.signal,
          onChunk: (input) => meter.readInput(input),
        },
        (fields, line) => {
          if (fields.length !== 2) {
            throw new InputError(
              file,
              line,
              null,
              `expected 2 fields "user item" separated by a space, found ${fields.length}`,
            );
          }
          log.add(
            integerKey(fields[0], file, line, 'user'),
            integerKey(fields[1], file, line, 'item'),
            Number.NaN,
            Number.NaN,
          );
          rows++;
          meter.row();
        },
      );
      if (rows === 0) throw new InputError(file, null, null, 'file is empty; expected "user item" lines');
      meter.endFile(meter.fileSizes[f]);
    }
    log.finish();
  },
};
