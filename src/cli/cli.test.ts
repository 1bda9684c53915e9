// The command line as a user runs it: a real `node src/cli/bin.mjs` process per command.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, oneJson, tempDir } from './spawn-cli.ts';

test('import, datasets, rename and delete with --json', async (t) => {
  const dir = tempDir(t);
  const workspace = join(dir, 'w.constellation');
  const file = join(dir, 'ratings.csv');
  writeFileSync(file, 'who;what;when;stars\nann;film-1;100;4\nann;film-2;200;5\nbob;film-1;150;3\n');

  const imported = await cli([
    'import',
    'interactions',
    file,
    '--name',
    'ratings',
    '--delimiter',
    ';',
    '--user-column',
    'who',
    '--item-column',
    'what',
    '--time-column',
    '3',
    '--rating-column',
    'stars',
    '--workspace',
    workspace,
    '--json',
    '--progress',
    'json',
  ]);
  assert.equal(imported.code, 0, imported.stderr);
  const summary = oneJson(imported);
  assert.deepEqual(
    { ...summary, seconds: 0 },
    { dataset: 'ratings', kind: 'interactions', entities: 4, relations: 3, media: 0, seconds: 0 },
  );
  const progress = imported.stderr
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  assert.ok(
    progress.length > 0 && progress.every((p) => typeof p.progress.rows === 'number'),
    imported.stderr,
  );

  const listed = await cli(['datasets', '--workspace', workspace, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const { datasets } = oneJson(listed) as {
    datasets: {
      name: string;
      stats: { entities: Record<string, number>; interactions: { users: number } };
    }[];
  };
  assert.equal(datasets[0].name, 'ratings');
  assert.deepEqual(datasets[0].stats.entities, { user: 2, item: 2 });
  assert.equal(datasets[0].stats.interactions.users, 2);

  const table = await cli(['datasets', 'list', '--workspace', workspace]);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /ratings {2}\(interactions, csv/);
  assert.match(table.stdout, /2 users · 2 items · 3 interactions/);

  const renamed = await cli(['datasets', 'rename', 'ratings', 'stars', '--workspace', workspace]);
  assert.equal(renamed.stdout, 'renamed ratings to stars\n');
  const missing = await cli(['datasets', 'delete', 'ratings', '--workspace', workspace, '--json']);
  assert.equal(missing.code, 1);
  assert.equal((oneJson(missing).error as { code: string }).code, 'not-found');
  assert.match(missing.stderr, /no dataset named "ratings".*there are: stars/);
  const deleted = await cli(['datasets', 'delete', 'stars', '--workspace', workspace, '--json']);
  assert.deepEqual(oneJson(deleted), { deleted: 'stars' });
});

test('the workspace defaults to ./workspace.constellation', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'log.csv'), 'user,item,timestamp\na,x,1\n');
  const run = await cli(['import', 'interactions', 'log.csv', '--name', 'log'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^imported log \(interactions\): 2 entities, 1 relations, 0 media in /);
  const listed = await cli(['datasets', '--json'], { cwd: dir });
  assert.equal((oneJson(listed).datasets as unknown[]).length, 1);
});

test('errors: clear message, non-zero exit, {"error"} with --json', async (t) => {
  const dir = tempDir(t);
  const workspace = join(dir, 'w.constellation');
  const absent = join(dir, 'absent.csv');
  const notFound = await cli([
    'import',
    'interactions',
    absent,
    '--name',
    'x',
    '--workspace',
    workspace,
    '--json',
  ]);
  assert.equal(notFound.code, 1);
  const error = oneJson(notFound).error as { code: string; file: string; message: string };
  assert.equal(error.code, 'bad-data');
  assert.equal(error.file, absent);
  assert.match(notFound.stderr, /absent\.csv: (no such file|does not exist)/);

  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'user,item,timestamp\na,x,1\nb,y,soon\n');
  const badData = await cli(['import', 'interactions', bad, '--name', 'x', '--workspace', workspace]);
  assert.equal(badData.code, 1);
  assert.equal(badData.stdout, '');
  assert.match(badData.stderr, /bad\.csv:3/);

  const usage = await cli(['import', 'interactions', bad, '--workspace', workspace, '--json']);
  assert.equal(usage.code, 2);
  assert.match((oneJson(usage).error as { message: string }).message, /--name/);
  const wrongKind = await cli(['import', 'graphs', bad, '--name', 'x']);
  assert.equal(wrongKind.code, 2);
  assert.match(wrongKind.stderr, /Allowed choices are network, interactions, images, videos/);
  const badSeed = await cli(['demo', '--seed', 'abc', '--out', join(dir, 'd.constellation'), '--json']);
  assert.equal(badSeed.code, 2);
  assert.deepEqual((oneJson(badSeed).error as { issues: { path: string[] }[] }).issues[0].path, ['seed']);

  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /import \[options\] <kind> <path\.\.\.>/);
});

test('Ctrl-C mid-import cancels it, exits 130 and leaves the workspace unchanged', async (t) => {
  const dir = tempDir(t);
  const workspace = join(dir, 'w.constellation');
  writeFileSync(join(dir, 'small.csv'), 'user,item,timestamp\na,x,1\n');
  assert.equal(
    (
      await cli([
        'import',
        'interactions',
        join(dir, 'small.csv'),
        '--name',
        'kept',
        '--workspace',
        workspace,
      ])
    ).code,
    0,
  );
  const rows = ['user,item,timestamp'];
  for (let i = 0; i < 400_000; i++) rows.push(`u${i % 1000},i${i % 777},${i}`);
  writeFileSync(join(dir, 'big.csv'), `${rows.join('\n')}\n`);
  let interrupted = false;
  const run = await cli(
    [
      'import',
      'interactions',
      join(dir, 'big.csv'),
      '--name',
      'big',
      '--workspace',
      workspace,
      '--json',
      '--progress',
      'json',
    ],
    {
      onStderr: (chunk, child) => {
        if (!interrupted && chunk.includes('"progress"')) {
          interrupted = true;
          child.kill('SIGINT');
        }
      },
    },
  );
  assert.ok(interrupted, 'a progress event arrived before the end');
  assert.equal(run.code, 130, run.stderr);
  assert.equal((oneJson(run).error as { code: string }).code, 'cancelled');
  const listed = oneJson(await cli(['datasets', '--workspace', workspace, '--json']));
  assert.deepEqual(
    (listed.datasets as { name: string }[]).map((d) => d.name),
    ['kept'],
  );
});
