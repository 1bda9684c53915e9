import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { z } from 'zod';
import { openInput } from '../read/input.ts';
import { type Importer, InputError } from '../types.ts';
import { hasExtension, requirePath } from './media-files.ts';
import { MediaWriter } from './media-writer.ts';

const options = z.object({
  /** the largest pixel value in the file: 16 for the UCI/scikit-learn digits */
  maxValue: z.number().int().min(1).max(255).default(16),
  /** where the class label sits; 'none' for unlabelled rows */
  labelColumn: z.enum(['first', 'last', 'none']).default('last'),
});

const isNumeric = (field: string): boolean => /^\s*-?\d+(\.\d+)?\s*$/.test(field);

/** Rows of csv-parse with its syntax errors (unclosed quotes...) turned into InputErrors with the line. */
async function* csvRows<T>(rows: AsyncIterable<T>, file: string): AsyncGenerator<T> {
  try {
    yield* rows;
  } catch (error) {
    const csv = error as { code?: string; lines?: number; message: string };
    if (csv.code?.startsWith('CSV_')) throw new InputError(file, csv.lines ?? null, null, csv.message);
    throw error;
  }
}

/** Pixels of one row rescaled to 0..255; an error names the line and the 1-based column. */
export function readPixelRow(
  record: readonly string[],
  first: number,
  count: number,
  maxValue: number,
  file: string,
  line: number,
): Uint8Array {
  const pixels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const text = record[first + i];
    const value = Number(text);
    if (text === '' || !Number.isInteger(value) || value < 0 || value > maxValue) {
      throw new InputError(
        file,
        line,
        `column ${first + i + 1}`,
        `expected an integer 0..${maxValue}, found "${text}"`,
      );
    }
    pixels[i] = Math.round((value * 255) / maxValue);
  }
  return pixels;
}

/**
 * CSV rows of square greyscale images: n*n pixel values plus a class label (scikit-learn's
 * digits.csv.gz: 64 values 0..16 then the digit). Pixels are rescaled to 0..255 with
 * round(v * 255 / maxValue) so that every `raw-u8` image in a workspace means the same thing to a
 * model; the mapping is one-to-one, so round(p * maxValue / 255) gives the file's values back.
 * A first row with a non-numeric field is taken as a header. Keys are the 1-based line numbers.
 */
export const digitsCsvImporter: Importer = {
  format: 'digits-csv',
  kind: 'images',
  description:
    'CSV rows of square greyscale pixel values plus a label (scikit-learn digits), rescaled to 0..255',
  async detect(paths) {
    return paths.length === 1 && /digits.*\.csv(\.gz)?$/i.test(paths[0]);
  },
  async run(paths, ctx) {
    const { maxValue, labelColumn } = options.parse(ctx.options);
    for (const path of paths) requirePath(path, 'file');
    const inputs = [];
    for (const path of paths) {
      if (!hasExtension(path.replace(/\.gz$/i, ''), ['.csv', '.txt'])) {
        throw new InputError(path, null, null, 'expected a .csv or .csv.gz file of pixel rows');
      }
      inputs.push(await openInput(path));
    }
    const writer = new MediaWriter(
      ctx,
      'image',
      inputs.reduce((sum, input) => sum + input.size, 0),
    );
    for (const input of inputs) {
      const parser = parse({ info: true, relax_column_count: true, skip_empty_lines: true, trim: true });
      const source = Readable.from(input.chunks);
      source.on('error', (error) => parser.destroy(error));
      source.pipe(parser);
      let columns = -1;
      let side = 0;
      let reported = 0;
      const rows = parser as AsyncIterable<{ record: string[]; info: { lines: number } }>;
      for await (const { record, info } of csvRows(rows, input.file)) {
        const line = info.lines;
        if (columns < 0) {
          if (!record.every(isNumeric)) {
            if (line > 1)
              throw new InputError(input.file, line, null, 'a header is only allowed on the first line');
            continue;
          }
          columns = record.length;
          const pixels = columns - (labelColumn === 'none' ? 0 : 1);
          side = Math.round(Math.sqrt(pixels));
          if (side * side !== pixels || pixels === 0) {
            throw new InputError(input.file, line, null, `${pixels} pixel values do not make a square image`);
          }
        }
        if (record.length !== columns) {
          throw new InputError(
            input.file,
            line,
            null,
            `expected ${columns} fields like the first row, found ${record.length}`,
          );
        }
        const pixels = readPixelRow(
          record,
          labelColumn === 'first' ? 1 : 0,
          side * side,
          maxValue,
          input.file,
          line,
        );
        const classLabel =
          labelColumn === 'none' ? null : record[labelColumn === 'first' ? 0 : columns - 1].trim() || null;
        const key = String(line);
        writer.add(
          { key, classLabel },
          {
            key,
            bytes: pixels,
            encoding: 'raw-u8',
            width: side,
            height: side,
            channels: 1,
            frames: 1,
          },
        );
        const read = input.bytesRead();
        writer.advance(read - reported, input.file);
        reported = read;
      }
      if (columns < 0) throw new InputError(input.file, null, null, 'holds no pixel rows');
    }
    writer.finish(paths.join(', '));
  },
};
