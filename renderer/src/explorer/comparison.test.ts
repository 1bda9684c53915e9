import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignedPoints } from './comparison.ts';
import type { Points } from './Scatter.tsx';

const points = (keys: string[], x: number[], y: number[]): Points => ({
  keys,
  types: keys.map(() => 'paper'),
  labels: keys.map((k) => `title ${k}`),
  classes: keys.map(() => null),
  x,
  y,
  degrees: keys.map(() => 0),
});

test("the other run's positions follow this projection's rows; entities it lacks are absent", () => {
  const mine = points(['a', 'b', 'c'], [1, 2, 3], [1, 2, 3]);
  // the other run lists its entities in another order and has no vector for c (entity 12)
  const theirs = points(['b', 'a'], [-2, -1], [20, 10]);
  const { points: aligned, absent } = alignedPoints(mine, [10, 11, 12], theirs, [11, 10]);
  assert.deepEqual(aligned.keys, ['a', 'b', 'c']);
  assert.deepEqual(aligned.labels, ['title a', 'title b', 'title c']);
  assert.deepEqual(aligned.x, [-1, -2, 0]);
  assert.deepEqual(aligned.y, [10, 20, 0]);
  assert.deepEqual([...absent], [0, 0, 1]);
});
