// A smoke test of `constellation bench metapath2vec`: it runs end to end on a small network and
// prints its figures as JSON. The figures themselves are a benchmark's business, never a test's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, oneJson } from './spawn-cli.ts';

test('bench metapath2vec --relations 20000 --no-gensim --json prints one object of positive figures', async () => {
  const run = await cli([
    'bench',
    'metapath2vec',
    '--relations',
    '20000',
    '--threads',
    '2',
    '--no-gensim',
    '--json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const result = oneJson(run);
  for (const key of ['walk_tokens_per_s', 'pairs_per_s', 'pairs_per_cpu_s', 'relations', 'pairs']) {
    const value = result[key];
    assert.ok(typeof value === 'number' && Number.isFinite(value) && value > 0, `${key}: ${value}`);
  }
  assert.equal(result.threads, 2);
  assert.ok(Math.abs((result.relations as number) - 20_000) < 2_000, `relations: ${result.relations}`);
  assert.equal(result.gensim_pairs_per_s, undefined);
  assert.equal((result.load_average as number[]).length, 2);
});

test('bench metapath2vec refuses a relation count that is not a positive whole number', async () => {
  const run = await cli(['bench', 'metapath2vec', '--relations', 'many', '--json']);
  assert.equal(run.code, 2);
  assert.match(
    (oneJson(run).error as { message: string }).message,
    /--relations expects a positive whole number, got "many"/,
  );
});
