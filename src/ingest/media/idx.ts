import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { type Input, openInput, statFile } from '../read/input.ts';
import { type Importer, InputError } from '../types.ts';
import { naturalCompare, requirePath } from './media-files.ts';
import { MediaWriter } from './media-writer.ts';

/** Fashion-MNIST's label names, in label order (github.com/zalandoresearch/fashion-mnist README). */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

const options = z.object({
  /**
   * Names for label values 0..n-1. 'auto' picks Fashion-MNIST's names when a SOURCE.md or README
   * beside the files says the data is Fashion-MNIST, and the digit itself otherwise.
   */
  classNames: z
    .union([z.enum(['auto', 'fashion-mnist', 'digits']), z.array(z.string()).min(1)])
    .default('auto'),
});

const UNSIGNED_BYTE = 0x08;

/** train-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte, train-images.idx3-ubyte ... */
const IDX_NAME = /^(.*?)[-.](images|labels)[-.]idx(\d)-ubyte(\.gz)?$/i;

interface IdxPair {
  split: string;
  images: string;
  labels: string | null;
}

const splitName = (prefix: string): string => (prefix.toLowerCase() === 't10k' ? 'test' : prefix);

async function idxFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const stats = requirePath(path, 'file or directory');
    if (!stats.isDirectory()) out.push(path);
    else for (const name of await readdir(path)) if (IDX_NAME.test(name)) out.push(join(path, name));
  }
  return out;
}

function pairFiles(files: readonly string[]): IdxPair[] {
  const byPrefix = new Map<string, { images?: string; labels?: string }>();
  for (const file of files) {
    const match = IDX_NAME.exec(basename(file));
    if (!match) {
      throw new InputError(
        file,
        null,
        null,
        'not an IDX file name (expected e.g. train-images-idx3-ubyte.gz)',
      );
    }
    const entry = byPrefix.get(match[1]) ?? {};
    entry[match[2].toLowerCase() as 'images' | 'labels'] = file;
    byPrefix.set(match[1], entry);
  }
  const pairs: IdxPair[] = [];
  for (const [prefix, { images, labels }] of byPrefix) {
    if (!images) throw new InputError(labels!, null, null, `labels without a matching ${prefix}-images file`);
    pairs.push({ split: splitName(prefix), images, labels: labels ?? null });
  }
  if (pairs.length === 0)
    throw new InputError(files.join(', ') || '(no paths)', null, null, 'no IDX files found');
  // Train first, as the dataset's own documentation lists it.
  const rank = (split: string) => (split === 'train' ? 0 : split === 'test' ? 1 : 2);
  return pairs.sort((a, b) => rank(a.split) - rank(b.split) || naturalCompare(a.split, b.split));
}

/** The IDX header: magic (two zero bytes, type, dimension count) then one big-endian u32 per dimension. */
export function parseIdxHeader(
  file: string,
  head: Uint8Array,
): { dims: number[]; headerBytes: number } | null {
  if (head.length < 4) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head[0] !== 0 || head[1] !== 0) {
    throw new InputError(file, null, 'magic', 'not an IDX file (the first two bytes must be zero)');
  }
  if (head[2] !== UNSIGNED_BYTE) {
    throw new InputError(
      file,
      null,
      'magic',
      `element type 0x${head[2].toString(16)} is not unsigned byte (0x08)`,
    );
  }
  const rank = head[3];
  const headerBytes = 4 + 4 * rank;
  if (head.length < headerBytes) return null;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, headerBytes };
}

export interface IdxRecord {
  /** dimensions from the header: [count, ...recordShape] */
  dims: readonly number[];
  index: number;
  /** one record's bytes, owned by the caller */
  data: Uint8Array;
}

/** Streams the records of an IDX file (gzip or plain) without holding the file in memory. */
export async function* readIdxRecords(input: Input): AsyncGenerator<IdxRecord> {
  let pending: Buffer = Buffer.alloc(0);
  let header: { dims: number[]; headerBytes: number } | null = null;
  let recordBytes = 0;
  let index = 0;
  for await (const chunk of input.chunks) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    if (!header) {
      header = parseIdxHeader(input.file, pending);
      if (!header) continue;
      if (header.dims.length === 0) throw new InputError(input.file, null, 'dimensions', 'has no dimensions');
      recordBytes = header.dims.slice(1).reduce((a, b) => a * b, 1);
      offset = header.headerBytes;
    }
    const count = header.dims[0];
    while (pending.length - offset >= recordBytes && index < count) {
      yield {
        dims: header.dims,
        index,
        data: Uint8Array.prototype.slice.call(pending, offset, offset + recordBytes),
      };
      offset += recordBytes;
      index++;
    }
    if (index === count && pending.length > offset) {
      throw new InputError(
        input.file,
        null,
        null,
        `has bytes after the ${count} records its header announces`,
      );
    }
    pending = pending.subarray(offset);
  }
  if (!header) throw new InputError(input.file, null, 'magic', 'is too short to hold an IDX header');
  if (index < header.dims[0]) {
    throw new InputError(
      input.file,
      null,
      null,
      `is truncated: the header announces ${header.dims[0]} records, the file holds ${index}`,
    );
  }
}

async function readLabels(file: string): Promise<Uint8Array> {
  const input = await openInput(file);
  const labels: number[] = [];
  for await (const record of readIdxRecords(input)) {
    if (record.dims.length !== 1) {
      throw new InputError(
        file,
        null,
        'dimensions',
        `a labels file has 1 dimension, this one ${record.dims.length}`,
      );
    }
    labels.push(record.data[0]);
  }
  return Uint8Array.from(labels);
}

async function sourceSaysFashionMnist(files: readonly string[]): Promise<boolean> {
  for (const dir of new Set(files.map((file) => dirname(file)))) {
    if (/fashion/i.test(basename(dir))) return true;
    for (const name of ['SOURCE.md', 'README.md', 'README']) {
      const text = await readFile(join(dir, name), 'utf8').catch(() => '');
      if (/fashion[-_ ]?mnist/i.test(text)) return true;
    }
  }
  return false;
}

async function classNamesFor(
  choice: z.infer<typeof options>['classNames'],
  files: readonly string[],
): Promise<readonly string[] | null> {
  if (Array.isArray(choice)) return choice;
  if (choice === 'fashion-mnist') return FASHION_MNIST_CLASSES;
  if (choice === 'auto' && (await sourceSaysFashionMnist(files))) return FASHION_MNIST_CLASSES;
  return null;
}

/**
 * MNIST-style IDX files: `<split>-images-idx3-ubyte[.gz]` with optional `<split>-labels-idx1-ubyte[.gz]`.
 * Each image is an `image` entity keyed `<split>/<index>` (t10k is named `test`) with its split
 * as an attribute, stored as raw u8 pixels: a 28x28 image is 784 bytes, smaller than its PNG.
 */
export const idxImporter: Importer = {
  format: 'idx',
  kind: 'images',
  description: 'MNIST-style IDX image and label files (.gz or plain), e.g. Fashion-MNIST',
  async detect(paths) {
    const files = await idxFiles(paths).catch(() => []);
    return files.some((file) => /images[-.]idx[34]-ubyte/i.test(basename(file)));
  },
  async run(paths, ctx) {
    const { classNames: choice } = options.parse(ctx.options);
    const pairs = pairFiles(await idxFiles(paths));
    const files = pairs.flatMap((pair) => (pair.labels ? [pair.images, pair.labels] : [pair.images]));
    let totalBytes = 0;
    for (const file of files) totalBytes += await statFile(file);
    const classNames = await classNamesFor(choice, files);
    const writer = new MediaWriter(ctx, 'image', totalBytes);
    for (const pair of pairs) {
      const labels = pair.labels ? await readLabels(pair.labels) : null;
      if (pair.labels) writer.advance(await statFile(pair.labels), pair.labels);
      const input = await openInput(pair.images);
      let reported = 0;
      for await (const { dims, index, data } of readIdxRecords(input)) {
        if (dims.length !== 3 && dims.length !== 4) {
          throw new InputError(
            pair.images,
            null,
            'dimensions',
            `images have 3 or 4 dimensions, found ${dims.length}`,
          );
        }
        if (labels && dims[0] !== labels.length) {
          throw new InputError(
            pair.labels!,
            null,
            'count',
            `holds ${labels.length} labels for the ${dims[0]} images of ${basename(pair.images)}`,
          );
        }
        const label = labels ? labels[index] : null;
        if (label != null && classNames && label >= classNames.length) {
          throw new InputError(
            pair.labels!,
            null,
            `label ${index}`,
            `${label} has no class name (${classNames.length} given)`,
          );
        }
        const classLabel = label == null ? null : (classNames?.[label] ?? String(label));
        const key = `${pair.split}/${index}`;
        writer.add(
          { key, classLabel, attributes: { split: pair.split } },
          {
            key,
            bytes: data,
            encoding: 'raw-u8',
            width: dims[2],
            height: dims[1],
            channels: dims[3] ?? 1,
            frames: 1,
          },
        );
        const read = input.bytesRead();
        writer.advance(read - reported, pair.images);
        reported = read;
      }
    }
    writer.finish(paths.join(', '));
  },
};
