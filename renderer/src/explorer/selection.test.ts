import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Points } from './Scatter.tsx';
import { boxPolygon, pointsInPolygon, selectionCsv } from './selection.ts';

// a 5x5 grid of points at integer coordinates 0..4, row-major
const x = Array.from({ length: 25 }, (_, i) => i % 5);
const y = Array.from({ length: 25 }, (_, i) => Math.floor(i / 5));

test('a box dragged either way selects the points inside it', () => {
  const expected = [6, 7, 8, 11, 12, 13];
  assert.deepEqual(pointsInPolygon(x, y, boxPolygon({ x: 0.5, y: 0.5 }, { x: 3.5, y: 2.5 })), expected);
  assert.deepEqual(pointsInPolygon(x, y, boxPolygon({ x: 3.5, y: 2.5 }, { x: 0.5, y: 0.5 })), expected);
  assert.deepEqual(pointsInPolygon(x, y, boxPolygon({ x: 9, y: 9 }, { x: 10, y: 10 })), []);
});

test('a lasso selects what it encloses, a concave one leaves its notch out', () => {
  // a triangle below the diagonal from (-0.5,-0.5) to (4.5,4.5): points with y < x
  const triangle = [
    { x: -0.5, y: -0.6 },
    { x: 4.6, y: -0.6 },
    { x: 4.6, y: 4.5 },
  ];
  const below = pointsInPolygon(x, y, triangle);
  assert.deepEqual(
    below,
    x.map((_, i) => i).filter((i) => y[i] < x[i]),
  );
  // a U shape over the grid: its notch (x 1.5..2.5, y above 0.5) is outside
  const u = [
    { x: -0.5, y: -0.5 },
    { x: 4.5, y: -0.5 },
    { x: 4.5, y: 4.5 },
    { x: 2.5, y: 4.5 },
    { x: 2.5, y: 0.5 },
    { x: 1.5, y: 0.5 },
    { x: 1.5, y: 4.5 },
    { x: -0.5, y: 4.5 },
  ];
  const inU = pointsInPolygon(x, y, u);
  assert.equal(inU.length, 25 - 4);
  for (const notch of [7, 12, 17, 22]) assert.ok(!inU.includes(notch));
  assert.deepEqual(pointsInPolygon(x, y, u.slice(0, 2)), [], 'two vertices enclose nothing');
});

test('the CSV has one quoted row per selected point with its cluster', () => {
  const points: Points = {
    keys: ['a', 'b', 'c'],
    types: ['paper', 'paper', 'author'],
    labels: ['Graphs, "deep" ones', null, 'Line\nbreak'],
    classes: ['field0', null, 'field1'],
    x: [0.5, -1, 2],
    y: [1, 2, -3.25],
    degrees: [0, 0, 0],
  };
  assert.equal(
    selectionCsv([2, 0], points, [null, 1, 3]),
    'key,label,type,class,cluster,x,y\r\nc,"Line\nbreak",author,field1,3,2,-3.25\r\na,"Graphs, ""deep"" ones",paper,field0,,0.5,1\r\n',
  );
  assert.equal(selectionCsv([1], points, null), 'key,label,type,class,cluster,x,y\r\nb,,paper,,,-1,2\r\n');
});
