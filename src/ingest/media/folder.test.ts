import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ImportCancelled, InputError } from '../types.ts';
import { folderImporter } from './folder.ts';
import { encodeImage, importFixture, tempDir } from './media-fixtures.ts';

async function writeClasses(root: string): Promise<void> {
  mkdirSync(join(root, 'cat'), { recursive: true });
  mkdirSync(join(root, 'dog'), { recursive: true });
  writeFileSync(join(root, 'cat', '1.png'), await encodeImage('png', 8, 6, 3, 1));
  writeFileSync(join(root, 'cat', '2.jpg'), await encodeImage('jpeg', 10, 10, 3, 2));
  writeFileSync(join(root, 'dog', 'a.webp'), await encodeImage('webp', 8, 6, 3, 3));
  writeFileSync(join(root, 'dog', 'grey.png'), await encodeImage('png', 8, 6, 1, 4));
  writeFileSync(join(root, 'README.md'), 'not an image');
}

async function writeCorrupt(root: string): Promise<string> {
  const png = await encodeImage('png', 16, 16, 3, 5);
  const file = join(root, 'dog', 'broken.png');
  writeFileSync(file, png.subarray(0, png.length - 30));
  return file;
}

test('a folder per class: one image entity per file, the folder as class, mixed sizes and channels', async (t) => {
  const root = tempDir(t);
  await writeClasses(root);
  const fixture = importFixture(t);
  const { run, events } = fixture;
  assert.equal(await folderImporter.detect([root]), true);
  const dataset = await run(folderImporter, [root]);
  assert.equal(dataset.kind, 'images');
  assert.deepEqual(dataset.stats.entities, { image: 4 });
  assert.deepEqual(dataset.stats.classes, { cat: 2, dog: 2 });
  // sizes and channels differ between images, so no single shape is reported
  assert.deepEqual(dataset.stats.media, { count: 4, frames: 1 });
  const { workspace } = fixture;
  const stored = new Map([...workspace.media.each(dataset.id)].map((m) => [m.key, m]));
  const png = stored.get('cat/1.png')!;
  assert.deepEqual(
    Buffer.from(png.bytes),
    readFileSync(join(root, 'cat', '1.png')),
    'PNG bytes kept as they were',
  );
  assert.deepEqual(
    [png.encoding, png.width, png.height, png.channels, png.classLabel],
    ['png', 8, 6, 3, 'cat'],
  );
  assert.equal(stored.get('cat/2.jpg')!.encoding, 'jpeg');
  assert.equal(stored.get('dog/a.webp')!.encoding, 'webp');
  assert.equal(stored.get('dog/grey.png')!.channels, 1);
  const last = events.at(-1)!;
  assert.equal(last.rows, 4);
  assert.equal(last.bytes, last.totalBytes);
});

test('a corrupt image fails the import by default, naming the file, and changes nothing', async (t) => {
  const root = tempDir(t);
  await writeClasses(root);
  const broken = await writeCorrupt(root);
  const { run, workspace } = importFixture(t);
  await assert.rejects(run(folderImporter, [root]), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.file, broken);
    assert.match(error.problem, /not a readable image.*onCorrupt: 'skip'/);
    return true;
  });
  assert.deepEqual(workspace.datasets.list(), []);
});

test("onCorrupt: 'skip' imports the readable images and notes the skipped one on the dataset", async (t) => {
  const root = tempDir(t);
  await writeClasses(root);
  const broken = await writeCorrupt(root);
  const { run } = importFixture(t);
  const dataset = await run(folderImporter, [root], { onCorrupt: 'skip' });
  assert.deepEqual(dataset.stats.entities, { image: 4 });
  assert.equal(dataset.stats.notes?.length, 1);
  const [note] = dataset.stats.notes!;
  assert.deepEqual([note.action, note.file], ['skipped', broken]);
  assert.match(note.problem, /not a readable image/);
});

test('a missing folder and cancelling mid-import leave the workspace unchanged', async (t) => {
  const root = tempDir(t);
  await writeClasses(root);
  const { run, workspace } = importFixture(t);
  await assert.rejects(run(folderImporter, [join(root, 'absent')]), /absent: no such file/);
  const controller = new AbortController();
  await assert.rejects(
    run(folderImporter, [root], {}, { signal: controller.signal, onProgress: () => controller.abort() }),
    ImportCancelled,
  );
  assert.deepEqual(workspace.datasets.list(), []);
});
