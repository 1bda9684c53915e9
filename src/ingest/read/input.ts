import { createReadStream, type ReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { InputError } from '../types.ts';

/** A file opened for streaming: decompressed bytes, and how many raw bytes of it have been read. */
export interface Input {
  file: string;
  /** size on disk (compressed size for .gz), the denominator of progress */
  size: number;
  gzip: boolean;
  chunks: AsyncIterable<Buffer>;
  /** raw bytes read from disk so far */
  bytesRead(): number;
}

// Large chunks keep the per-chunk overhead (decode, split, isUtf8) small against the per-row work.
const chunkBytes = 1 << 20;

/** Checks that `file` exists and is a regular file, with the error a user can act on. */
export async function statFile(file: string): Promise<number> {
  try {
    const s = await stat(file);
    if (s.isDirectory()) throw new InputError(file, null, null, 'is a directory; expected a file');
    if (!s.isFile()) throw new InputError(file, null, null, 'is not a regular file');
    return s.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(file, null, null, 'no such file');
    if (code === 'EACCES') throw new InputError(file, null, null, 'permission denied');
    throw error;
  }
}

async function startsWithGzipMagic(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Opens a file for streaming, gunzipping it transparently when it starts with the gzip magic bytes. */
export async function openInput(file: string): Promise<Input> {
  const size = await statFile(file);
  const gzip = size >= 2 && (await startsWithGzipMagic(file));
  const raw: ReadStream = createReadStream(file, { highWaterMark: chunkBytes });
  async function* chunks(): AsyncGenerator<Buffer> {
    const source = gzip ? raw.pipe(createGunzip({ chunkSize: chunkBytes })) : raw;
    if (gzip) raw.on('error', (error) => source.destroy(error));
    try {
      for await (const chunk of source) yield chunk as Buffer;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED') {
        throw new InputError(
          file,
          null,
          null,
          `gzip data is truncated or corrupt (${(error as Error).message})`,
        );
      }
      throw error;
    } finally {
      source.destroy();
      raw.destroy();
    }
  }
  return { file, size, gzip, chunks: chunks(), bytesRead: () => raw.bytesRead };
}
