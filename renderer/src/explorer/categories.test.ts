import assert from 'node:assert/strict';
import { test } from 'node:test';
import { centresOf, colouringOf, otherColour, sizeRange, sizesOf } from './categories.ts';

test('sizes grow with the log of the count, from the smallest to the largest', () => {
  const sizes = sizesOf([0, 1, 9, 99]);
  assert.equal(sizes[0], sizeRange[0]);
  assert.ok(Math.abs(sizes[3] - sizeRange[1]) < 1e-5);
  // log scale: 9 is halfway between 0 and 99 (log 10 vs log 100)
  assert.ok(Math.abs(sizes[2] - (sizeRange[0] + sizeRange[1]) / 2) < 1e-5);
  assert.ok(sizes[1] > sizes[0] && sizes[1] < sizes[2]);
  assert.deepEqual([...sizesOf([0, 0])], [sizeRange[0], sizeRange[0]], 'no counts: all the smallest');
});

test('a category sits at the mean of its points; missing values have no place', () => {
  const colouring = colouringOf(['a', 'b', 'a', null]);
  const centres = centresOf(colouring, [0, 5, 2, 100], [1, 5, 3, 100]);
  assert.deepEqual(
    centres.map((c) => [colouring.categories[c.category].name, c.x, c.y]),
    [
      ['a', 1, 2],
      ['b', 5, 5],
    ],
  );
  assert.equal(colouring.categories.at(-1)!.colour, otherColour);
});
