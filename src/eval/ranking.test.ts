import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmptyEvaluation, NegativeSampler, rankAmong, rankingMetrics } from './ranking.ts';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('metrics of hand-built ranks: HR@k, NDCG@k = 1/log2(rank + 2) inside the cut, MRR', () => {
  // ranks 0 (top), 3, 7, 20
  const m = rankingMetrics([0, 3, 7, 20]);
  close(m['HR@1'], 1 / 4);
  close(m['HR@5'], 2 / 4);
  close(m['HR@10'], 3 / 4);
  close(m['NDCG@5'], (1 + 1 / Math.log2(5)) / 4);
  close(m['NDCG@10'], (1 + 1 / Math.log2(5) + 1 / Math.log2(9)) / 4);
  close(m.MRR, (1 + 1 / 4 + 1 / 8 + 1 / 21) / 4);
});

test('ties count against the model, a non-finite target score ranks last', () => {
  const scores = Float32Array.from([0, 0.5, 0.9, 0.5, 0.1]);
  // target 1 (0.5) vs candidates 2 (0.9, above), 3 (0.5, tie: above), 4 (0.1, below)
  assert.equal(rankAmong(scores, 1, [2, 3, 4]), 2);
  const constant = new Float32Array(5).fill(1);
  assert.equal(rankAmong(constant, 1, [2, 3, 4]), 3);
  const nan = Float32Array.from([0, Number.NaN, 0.9, 0.5, 0.1]);
  assert.equal(rankAmong(nan, 1, [2, 3, 4]), 3);
  // the target among its own candidates is not counted
  assert.equal(rankAmong(scores, 2, [1, 2, 3]), 0);
});

test('an empty evaluation is an error, never NaN', () => {
  assert.throws(() => rankingMetrics([], 'test (pop100)'), EmptyEvaluation);
});

test('protocols sample distinct unseen items only, the same for the same (seed, user)', () => {
  const items = 500;
  const popularity = new Float64Array(items + 1);
  for (let i = 1; i <= items; i++) popularity[i] = 1000 / i;
  const seen = Int32Array.from([1, 2, 3, 5, 8, 13, 21, 34]);
  for (const protocol of ['pop100', 'uniform100'] as const) {
    const sampler = new NegativeSampler(protocol, { items, popularity }, 42);
    const negatives = sampler.negatives(7, seen);
    assert.equal(negatives.length, 100);
    assert.equal(new Set(negatives).size, 100, 'distinct');
    for (const n of negatives) {
      assert.ok(n >= 1 && n <= items);
      assert.ok(!seen.includes(n), `${protocol} sampled seen item ${n}`);
    }
    sampler.negatives(8, seen);
    assert.deepEqual(sampler.negatives(7, seen), negatives, 'deterministic per (seed, user)');
    assert.notDeepEqual(
      new NegativeSampler(protocol, { items, popularity }, 43).negatives(7, seen),
      negatives,
    );
  }
  // pop100 favours popular items
  const pop = new NegativeSampler('pop100', { items, popularity }, 1).negatives(0, seen);
  const uni = new NegativeSampler('uniform100', { items, popularity }, 1).negatives(0, seen);
  const mean = (a: Int32Array) => a.reduce((s, x) => s + x, 0) / a.length;
  assert.ok(mean(pop) < 0.75 * mean(uni), `popular ids are small: ${mean(pop)} vs ${mean(uni)}`);
  const full = new NegativeSampler('full', { items, popularity }, 1).negatives(0, seen);
  assert.equal(full.length, items - seen.length);
});

test('fewer unseen items than 100: all of them; a user who saw the popular mass still gets 100', () => {
  const popularity = new Float64Array(151).fill(1);
  const seenMost = Int32Array.from({ length: 120 }, (_, i) => i + 1);
  const left = new NegativeSampler('pop100', { items: 150, popularity }, 3).negatives(0, seenMost);
  assert.deepEqual(
    [...left],
    Array.from({ length: 30 }, (_, i) => 121 + i),
  );
  const skewed = new Float64Array(1001);
  skewed[1] = 1e9;
  for (let i = 2; i <= 1000; i++) skewed[i] = 1;
  const negatives = new NegativeSampler('pop100', { items: 1000, popularity: skewed }, 3).negatives(0, [1]);
  assert.equal(new Set(negatives).size, 100);
  assert.ok(!negatives.includes(1));
});

test('a catalogue of one item cannot be ranked', () => {
  assert.throws(
    () => new NegativeSampler('full', { items: 1, popularity: new Float64Array(2) }, 1),
    /1 item/,
  );
});
