import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameIndex, searchNames } from './name-search.ts';

const keys = ['p0', 'p1', 'p2', 'p3', 'P4', 'x5'];
const labels = ['Graph paper', null, 'Deep graphs', 'Paper on graphs', 'İstanbul graph', ''];
const index = nameIndex(keys, labels);

test('names starting with the query come first, then those containing it, each in point order', () => {
  assert.deepEqual(searchNames(index, 'graph'), [0, 2, 3, 4]);
  assert.deepEqual(searchNames(index, 'GRAPH', 2), [0, 2]);
  assert.deepEqual(searchNames(index, 'paper'), [3, 0]);
});

test('keys are searched like labels, a point appears once, an empty query finds nothing', () => {
  assert.deepEqual(searchNames(index, 'p'), [0, 1, 2, 3, 4]);
  assert.deepEqual(searchNames(index, ' x5 '), [5]);
  assert.deepEqual(searchNames(index, '5'), [5]);
  assert.deepEqual(searchNames(index, '   '), []);
  assert.deepEqual(searchNames(index, 'nothing like it'), []);
});

test('a name whose lowercase is longer does not shift the names after it', () => {
  // 'İ' lowercases to two code units
  assert.deepEqual(searchNames(index, 'p4'), [4]);
  assert.deepEqual(searchNames(index, 'x'), [5]);
});

test('the last of a million points is found by its name', () => {
  const n = 1_000_000;
  const many = nameIndex(
    Array.from({ length: n }, (_, i) => `k${i}`),
    Array.from({ length: n }, (_, i) => `point ${i}`),
  );
  assert.deepEqual(searchNames(many, `point ${n - 1}`), [n - 1]);
  assert.deepEqual(searchNames(many, `k${n - 1}`), [n - 1]);
});
