// `constellation datasets` as a user reads it: what an import skipped is listed with the dataset.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeImage } from '../ingest/media/media-fixtures.ts';
import { cli, oneJson, tempDir } from './spawn-cli.ts';

test('a folder with a corrupt image imported with --skip-corrupt: datasets lists the skipped file', async (t) => {
  const dir = tempDir(t);
  const workspace = join(dir, 'w.constellation');
  const root = join(dir, 'images');
  for (const label of ['cat', 'dog']) mkdirSync(join(root, label), { recursive: true });
  writeFileSync(join(root, 'cat', '1.png'), await encodeImage('png', 8, 8, 3, 1));
  writeFileSync(join(root, 'dog', '2.png'), await encodeImage('png', 8, 8, 3, 2));
  const png = await encodeImage('png', 16, 16, 3, 3);
  const broken = join(root, 'dog', 'broken.png');
  writeFileSync(broken, png.subarray(0, png.length - 30));

  const imported = await cli([
    'import',
    'images',
    root,
    '--name',
    'pets',
    '--skip-corrupt',
    '--workspace',
    workspace,
    '--json',
  ]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(oneJson(imported).media, 2);

  const listed = await cli(['datasets', '--workspace', workspace, '--json']);
  const [pets] = oneJson(listed).datasets as {
    stats: {
      classes: Record<string, number>;
      labelled: Record<string, number>;
      notes: Record<string, string>[];
    };
  }[];
  assert.deepEqual(pets.stats.classes, { cat: 1, dog: 1 });
  assert.deepEqual(pets.stats.labelled, { image: 2 });
  assert.equal(pets.stats.notes.length, 1);
  assert.deepEqual([pets.stats.notes[0].action, pets.stats.notes[0].file], ['skipped', broken]);

  const text = await cli(['datasets', '--workspace', workspace]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /classes {4}cat 1 · dog 1 \(image: 2 of 2 labelled\)/);
  assert.ok(
    text.stdout.includes(`notes      skipped ${broken}: `),
    `the skipped file is listed:\n${text.stdout}`,
  );
});
