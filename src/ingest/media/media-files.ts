import { type Dirent, type Stats, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import { InputError } from '../types.ts';

/** File names ordered as a person reads them: frame2 before frame10. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });
export const naturalCompare = (a: string, b: string): number => collator.compare(a, b);

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;

/** A source file found under a folder-per-class layout (or given directly). */
export interface MediaSource {
  path: string;
  /** entity key: the path relative to the folder the user gave, with `/` separators */
  key: string;
  /** first-level folder name under the given folder; null for files directly in it */
  classLabel: string | null;
  size: number;
}

export function requirePath(path: string, expected: 'file' | 'directory' | 'file or directory'): Stats {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    throw new InputError(path, null, null, `does not exist; expected a ${expected}`);
  }
  if (expected === 'file' && stats.isDirectory()) {
    throw new InputError(path, null, null, 'is a directory; expected a file');
  }
  if (expected === 'directory' && !stats.isDirectory()) {
    throw new InputError(path, null, null, 'is a file; expected a directory');
  }
  return stats;
}

export const hasExtension = (path: string, extensions: readonly string[]): boolean =>
  extensions.includes(extname(path).toLowerCase());

const visible = (entry: Dirent): boolean => !entry.name.startsWith('.');

async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!visible(entry)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walkFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

const toKey = (root: string, path: string): string => relative(root, path).split(sep).join('/');

const classOf = (key: string): string | null => {
  const slash = key.indexOf('/');
  return slash < 0 ? null : key.slice(0, slash);
};

/**
 * Files with the given extensions, in natural order. A folder is read as folder-per-class: the
 * first folder level under it names the class (deeper levels are kept in the key); a file given
 * directly has no class. Other files (README, SOURCE.md, .DS_Store) are ignored.
 */
export async function collectMediaFiles(
  paths: readonly string[],
  extensions: readonly string[],
): Promise<MediaSource[]> {
  const out: MediaSource[] = [];
  for (const root of paths) {
    const stats = requirePath(root, 'file or directory');
    if (!stats.isDirectory()) {
      out.push({ path: root, key: basename(root), classLabel: null, size: stats.size });
      continue;
    }
    const found = (await walkFiles(root)).filter((path) => hasExtension(path, extensions));
    const sources = found.map((path) => {
      const key = toKey(root, path);
      return { path, key, classLabel: classOf(key), size: statSync(path).size };
    });
    out.push(...sources.sort((a, b) => naturalCompare(a.key, b.key)));
  }
  if (out.length === 0) {
    throw new InputError(paths.join(', '), null, null, `no ${extensions.join('/')} files found`);
  }
  return out;
}

/** A clip stored as a folder of frame images. */
export interface ClipFolder {
  path: string;
  key: string;
  classLabel: string | null;
  /** frame files in natural order */
  frames: string[];
  size: number;
}

/**
 * Folders that directly hold frame images: `root/<clip>/` (unlabelled) or `root/<class>/<clip>/`.
 * The class is the clip folder's parent when that parent is not the root the user gave.
 */
export async function collectClipFolders(
  paths: readonly string[],
  extensions: readonly string[],
): Promise<ClipFolder[]> {
  const out: ClipFolder[] = [];
  for (const root of paths) {
    requirePath(root, 'directory');
    const byFolder = new Map<string, string[]>();
    for (const file of await walkFiles(root)) {
      if (!hasExtension(file, extensions)) continue;
      const folder = file.slice(0, file.length - basename(file).length - 1);
      const list = byFolder.get(folder) ?? [];
      list.push(file);
      byFolder.set(folder, list);
    }
    const clips: ClipFolder[] = [];
    for (const [folder, files] of byFolder) {
      // Frames directly in the root: the root itself is one clip.
      const key = folder === root ? basename(root) : toKey(root, folder);
      const parts = key.split('/');
      files.sort((a, b) => naturalCompare(basename(a), basename(b)));
      clips.push({
        path: folder,
        key,
        classLabel: folder !== root && parts.length >= 2 ? parts[parts.length - 2] : null,
        frames: files,
        size: files.reduce((sum, f) => sum + statSync(f).size, 0),
      });
    }
    out.push(...clips.sort((a, b) => naturalCompare(a.key, b.key)));
  }
  if (out.length === 0) {
    throw new InputError(paths.join(', '), null, null, `no folders of ${extensions.join('/')} frames found`);
  }
  return out;
}
