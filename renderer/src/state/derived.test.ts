import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary } from '../../../src/api/index.ts';
import { runMatches } from './derived.ts';

const run = (id: number, model: string, dataset: string, status: RunSummary['status']): RunSummary => ({
  id,
  dataset,
  model,
  config: {},
  seed: 1,
  device: 'cpu',
  codeVersion: 'x',
  status,
  error: null,
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: null,
  finishedAt: null,
  seconds: 1,
  metrics: {},
});

test('the runs filter needs every word, and a number names one run', () => {
  const runs = [
    run(3, 'vit', 'digits', 'done'),
    run(13, 'vit', 'digits', 'cancelled'),
    run(30, 'bert4rec', 'games2024', 'failed'),
  ];
  const ids = (query: string) => runs.filter((r) => runMatches(r, query)).map((r) => r.id);
  assert.deepEqual(ids(''), [3, 13, 30]);
  assert.deepEqual(ids('VIT done'), [3]);
  assert.deepEqual(ids('vit'), [3, 13]);
  assert.deepEqual(ids('3'), [3]);
  assert.deepEqual(ids('#13'), [13]);
  assert.deepEqual(ids('2024'), [30]);
  assert.deepEqual(ids('vit failed'), []);
  assert.deepEqual(ids('  cpu   digits '), [3, 13]);
});
