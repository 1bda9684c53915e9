import { isUtf8 } from 'node:buffer';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../types.ts';
import { openInput, statFile } from './input.ts';

/** Is this path a directory? False for a missing path (the importer reports it). */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The files directly inside `dir`, sorted by name. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(dir, e.name))
    .sort();
}

/** `paths` with each directory replaced by its files; a missing path is an InputError. */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0)
    throw new InputError('(no path)', null, null, 'expected at least one file or folder');
  const files: string[] = [];
  for (const path of paths) {
    if (await isDirectory(path)) files.push(...(await listFiles(path)));
    else {
      await statFile(path);
      files.push(path);
    }
  }
  return files;
}

/** File name without directory, `.gz` and extension: `paper_author.tsv.gz` -> `paper_author`. */
export function stem(file: string): string {
  const name = basename(file).replace(/\.gz$/i, '');
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** Extension without `.gz`, lower case, without the dot: `ratings.dat.gz` -> `dat`. */
export function extension(file: string): string {
  const name = basename(file).toLowerCase().replace(/\.gz$/, '');
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1) : '';
}

/**
 * The first complete lines of a file (decompressed), for format detection and header sniffing.
 * Reads at most `bytes`; never throws on unreadable input (detection must stay cheap and quiet).
 */
export async function headLines(file: string, count = 20, bytes = 64 * 1024): Promise<string[]> {
  try {
    const input = await openInput(file);
    const parts: Buffer[] = [];
    let length = 0;
    for await (const chunk of input.chunks) {
      parts.push(chunk);
      length += chunk.length;
      if (length >= bytes) break;
    }
    let text = Buffer.concat(parts).subarray(0, bytes).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const lines = text.split('\n');
    if (length >= bytes) lines.pop();
    return lines
      .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
      .filter((l) => l.length > 0)
      .slice(0, count);
  } catch {
    return [];
  }
}

/** Decompresses a small whole file when gzipped (NPY labels and the like). */
export function maybeGunzip(bytes: Buffer): Buffer {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

/**
 * 'utf8' when the whole file is valid UTF-8, else 'latin1': for the legacy formats (DBLP four-area,
 * older MovieLens) whose files predate UTF-8 and are read as the ISO-8859-1 they were written in.
 */
export async function legacyEncoding(file: string): Promise<'utf8' | 'latin1'> {
  const input = await openInput(file);
  let leftover: Buffer | null = null;
  for await (const chunk of input.chunks) {
    const bytes: Buffer = leftover ? Buffer.concat([leftover, chunk]) : chunk;
    // check complete lines only, so a character split between chunks is never misjudged
    const end = bytes.lastIndexOf(10) + 1;
    if (!isUtf8(bytes.subarray(0, end))) return 'latin1';
    leftover = Buffer.from(bytes.subarray(end));
  }
  return leftover === null || isUtf8(leftover) ? 'utf8' : 'latin1';
}
