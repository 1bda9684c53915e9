import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../types.ts';
import { collectClipFolders, collectMediaFiles, IMAGE_EXTENSIONS, naturalCompare } from './media-files.ts';
import { tempDir } from './media-fixtures.ts';

function touch(root: string, ...names: string[]): void {
  for (const name of names) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), 'x');
  }
}

test('natural order puts frame2 before frame10', () => {
  assert.deepEqual(['f10.png', 'f2.png', 'f1.png'].sort(naturalCompare), ['f1.png', 'f2.png', 'f10.png']);
});

test('folder-per-class: the first folder level is the class, the relative path the key', async (t) => {
  const root = tempDir(t);
  touch(
    root,
    'cat/10.png',
    'cat/9.jpg',
    'dog/a/1.webp',
    'loose.png',
    'SOURCE.md',
    '.hidden/x.png',
    'dog/notes.txt',
  );
  const files = await collectMediaFiles([root], IMAGE_EXTENSIONS);
  assert.deepEqual(
    files.map((f) => [f.key, f.classLabel]),
    [
      ['cat/9.jpg', 'cat'],
      ['cat/10.png', 'cat'],
      ['dog/a/1.webp', 'dog'],
      ['loose.png', null],
    ],
  );
});

test('clip folders: frames in natural order, class from the parent folder', async (t) => {
  const root = tempDir(t);
  touch(root, 'run/clip1/frame10.png', 'run/clip1/frame2.png', 'walk/c/1.png', 'single/1.png');
  const clips = await collectClipFolders([root], IMAGE_EXTENSIONS);
  assert.deepEqual(
    clips.map((c) => [c.key, c.classLabel, c.frames.map((f) => f.slice(root.length + 1))]),
    [
      ['run/clip1', 'run', ['run/clip1/frame2.png', 'run/clip1/frame10.png']],
      ['single', null, ['single/1.png']],
      ['walk/c', 'walk', ['walk/c/1.png']],
    ],
  );
});

test('a missing path, a file for a folder, and a folder without media are InputErrors', async (t) => {
  const root = tempDir(t);
  touch(root, 'a.txt');
  await assert.rejects(collectMediaFiles([join(root, 'nope')], IMAGE_EXTENSIONS), /nope: does not exist/);
  await assert.rejects(
    collectClipFolders([join(root, 'a.txt')], IMAGE_EXTENSIONS),
    /a\.txt: is a file; expected a directory/,
  );
  await assert.rejects(collectMediaFiles([root], IMAGE_EXTENSIONS), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.match(error.problem, /no \.png\/\.jpg\/\.jpeg\/\.webp files found/);
    return true;
  });
});
