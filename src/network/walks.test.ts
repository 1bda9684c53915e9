import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildNetwork, type HeterogeneousNetwork, isolatedNodes } from './heterogeneous-network.ts';
import { parseMetaPath } from './meta-path.ts';
import { WalkPool } from './walk-pool.ts';
import { compileScheme, generateWalks, totalWalks, type WalkPlan } from './walks.ts';

/** A small bibliography: 30 authors (the last two isolated), 40 papers (the last without a venue), 3 venues. */
function bibliography(): HeterogeneousNetwork {
  const writtenBy: [number, number][] = [];
  for (let p = 0; p < 40; p++) {
    const authors = new Set([p % 28, (p * 7 + 3) % 28, (p * 11 + 5) % 28]);
    for (const a of authors) writtenBy.push([p, a]);
  }
  const venues = Array.from({ length: 39 }, (_, p) => [p, p % 3] as [number, number]);
  return buildNetwork(
    [
      { name: 'author', count: 30 },
      { name: 'paper', count: 40 },
      { name: 'conf', count: 3 },
    ],
    [
      {
        name: 'paper-author',
        sourceType: 'paper',
        targetType: 'author',
        source: Int32Array.from(writtenBy, (e) => e[0]),
        target: Int32Array.from(writtenBy, (e) => e[1]),
      },
      {
        name: 'paper-conf',
        sourceType: 'paper',
        targetType: 'conf',
        source: Int32Array.from(venues, (e) => e[0]),
        target: Int32Array.from(venues, (e) => e[1]),
      },
    ],
  );
}

function planFor(
  network: HeterogeneousNetwork,
  schemes: string[],
  walksPerNode: number,
  walkLength: number,
): WalkPlan {
  return {
    schemes: schemes.map((s) => compileScheme(network, parseMetaPath(s, network.schema))),
    walksPerNode,
    walkLength,
    seed: 42,
  };
}

function neighbours(network: HeterogeneousNetwork, node: number): Set<number> {
  const out = new Set<number>();
  for (const a of network.adjacency) {
    const from = network.types[a.from];
    if (network.nodeType[node] !== from.id) continue;
    const i = node - from.offset;
    for (let k = a.offsets[i]; k < a.offsets[i + 1]; k++) out.add(a.neighbours[k]);
  }
  return out;
}

test('every step follows the scheme over a real relation, in either direction', () => {
  const network = bibliography();
  const plan = planFor(network, ['author-paper-conf-paper-author', 'paper-author-paper'], 3, 13);
  const batch = generateWalks(network, plan, 0, totalWalks(network, plan));
  const schemes = [
    ['author', 'paper', 'conf', 'paper'],
    ['paper', 'author'],
  ];
  let shortened = 0;
  for (let w = 0; w + 1 < batch.offsets.length; w++) {
    const walk = batch.tokens.subarray(batch.offsets[w], batch.offsets[w + 1]);
    const names = Array.from(walk, (v) => network.types[network.nodeType[v]].name);
    const cycle = schemes.find((s) => s[0] === names[0])!;
    for (let i = 0; i < names.length; i++)
      assert.equal(names[i], cycle[i % cycle.length], `walk ${w} step ${i}`);
    for (let i = 1; i < walk.length; i++) assert.ok(neighbours(network, walk[i - 1]).has(walk[i]));
    if (walk.length < 13) shortened++;
  }
  // paper 39 has no venue: author walks that reach it end there; isolated authors never start
  assert.equal(batch.shortened, shortened);
  assert.ok(shortened > 0);
  assert.equal(isolatedNodes(network), 2);
  assert.equal(batch.skipped, 2 * 3, 'each isolated author skips each of its 3 walks');
  assert.equal(batch.offsets.length - 1 + batch.skipped, totalWalks(network, plan));
});

test('the next node is uniform over the neighbours of the next type', () => {
  // author 0 wrote papers 0..3; paper 0 also has a venue, which an A-P step must never pick
  const network = buildNetwork(
    [
      { name: 'author', count: 1 },
      { name: 'paper', count: 4 },
      { name: 'conf', count: 1 },
    ],
    [
      {
        name: 'paper-author',
        sourceType: 'paper',
        targetType: 'author',
        source: Int32Array.of(0, 1, 2, 3),
        target: Int32Array.of(0, 0, 0, 0),
      },
      {
        name: 'paper-conf',
        sourceType: 'paper',
        targetType: 'conf',
        source: Int32Array.of(0),
        target: Int32Array.of(0),
      },
    ],
  );
  const walks = 40_000;
  const plan = planFor(network, ['author-paper-author'], walks, 2);
  const batch = generateWalks(network, plan, 0, walks);
  const seen = new Float64Array(4);
  for (let w = 0; w < walks; w++) seen[batch.tokens[batch.offsets[w] + 1] - network.types[1].offset]++;
  const expected = walks / 4;
  const chiSquare = seen.reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0);
  // 3 degrees of freedom: P(chi2 > 16.27) = 0.001
  assert.ok(chiSquare < 16.27, `chi-square ${chiSquare.toFixed(2)} for ${Array.from(seen)}`);
});

test('walks are the same whatever the thread count and however the range is cut', async (t) => {
  const network = bibliography();
  const plan = planFor(network, ['author-paper-conf-paper-author'], 20, 30);
  const total = totalWalks(network, plan);
  const single = new WalkPool(network, plan, 1);
  const three = new WalkPool(network, plan, 3);
  t.after(() => three.close());
  const a = await single.generate(0, total);
  const b = await three.generate(0, total);
  assert.deepEqual(b.tokens, a.tokens);
  assert.deepEqual(b.offsets, a.offsets);
  assert.equal(b.skipped, a.skipped);
  const first = generateWalks(network, plan, 0, 101);
  const rest = generateWalks(network, plan, 101, total);
  assert.deepEqual([...first.tokens, ...rest.tokens], [...a.tokens]);
  const other = generateWalks(network, { ...plan, seed: 43 }, 0, total);
  assert.notDeepEqual(other.tokens, a.tokens);
});
