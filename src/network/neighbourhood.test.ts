import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildNetwork } from './heterogeneous-network.ts';
import { degreeByRelation, edgesTouching, expand, neighboursOf, snowballSample } from './neighbourhood.ts';

/**
 * Two components and two isolated nodes: authors 0 and 1 wrote papers 0 and 1 (author 0 paper 0
 * twice), paper 1 cites paper 0; author 2 wrote paper 2; author 3 and paper 3 have no relations.
 */
function network() {
  return buildNetwork(
    [
      { name: 'author', count: 4 },
      { name: 'paper', count: 4 },
    ],
    [
      {
        name: 'writes',
        sourceType: 'author',
        targetType: 'paper',
        source: Int32Array.of(0, 0, 1, 0, 2),
        target: Int32Array.of(0, 1, 1, 0, 2),
      },
      {
        name: 'cites',
        sourceType: 'paper',
        targetType: 'paper',
        source: Int32Array.of(1),
        target: Int32Array.of(0),
      },
    ],
  );
}
// node ids: authors 0..3, papers 4..7
const [a0, a1, a2, a3, p0, p1, p2, p3] = [0, 1, 2, 3, 4, 5, 6, 7];

test('neighbours are distinct across relation types and directions; degrees count every relation', () => {
  const n = network();
  assert.deepEqual(Array.from(neighboursOf(n, p0)), [a0, p1]);
  assert.deepEqual(Array.from(neighboursOf(n, a0)), [p0, p1]);
  assert.deepEqual(degreeByRelation(n, p0), [
    { relation: 'writes', direction: 'in', other: 'author', count: 2 },
    { relation: 'cites', direction: 'in', other: 'paper', count: 1 },
  ]);
  assert.deepEqual(degreeByRelation(n, a3), []);
});

test('edges among shown nodes come once each, in the relation direction', () => {
  const n = network();
  const shown = new Set([a0, p0, p1]);
  assert.deepEqual(edgesTouching(n, shown, shown), [
    { relation: 'writes', source: a0, target: p0 },
    { relation: 'writes', source: a0, target: p1 },
    { relation: 'cites', source: p1, target: p0 },
  ]);
});

test('expansion keeps what is shown and caps what is new with a seeded sample', () => {
  const n = network();
  assert.deepEqual(expand(n, p1, new Set([p1, a0]), 10, 0), { added: [a1, p0], neighbours: 3, hidden: 0 });
  const capped = expand(n, p1, new Set([p1]), 2, 5);
  assert.equal(capped.added.length, 2);
  assert.equal(capped.hidden, 1);
  assert.deepEqual(expand(n, p1, new Set([p1]), 2, 5), capped);
});

test('snowball samples take nodes with relations before isolated ones, and all nodes at most', () => {
  const n = network();
  for (let seed = 0; seed < 10; seed++) {
    const five = snowballSample(n, 5, seed);
    assert.equal(five.length, 5);
    assert.ok(!five.includes(a3) && !five.includes(p3), `seed ${seed}: ${five}`);
  }
  assert.deepEqual(snowballSample(n, 6, 1), [a0, a1, a2, p0, p1, p2]);
  assert.deepEqual(snowballSample(n, 100, 1), [a0, a1, a2, a3, p0, p1, p2, p3]);
});
