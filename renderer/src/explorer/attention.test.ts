import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AttentionMaps, mapChoices, mapOf, shades, strongestPatch } from './attention.ts';

// 2 layers x 2 heads over a 2 x 2 grid of patches
const maps: AttentionMaps = {
  run: 1,
  entity: { id: 7, key: 'img-7' },
  label: 'bag',
  predicted: 'bag',
  confidence: 0.9,
  image_size: 8,
  patch: 4,
  grid: 2,
  layers: 2,
  heads: 2,
  cls: [
    [
      [0.1, 0.2, 0.3, 0.4],
      [0.3, 0.2, 0.1, 0.2],
    ],
    [
      [0, 0, 0, 0.9],
      [0.5, 0.1, 0.1, 0.1],
    ],
  ],
  rollout: [0.25, 0.25, 0.1, 0.4],
};

test('the map choices: rollout first, then each layer followed by its heads', () => {
  const options = mapChoices(2, 2);
  assert.deepEqual(
    options.map((o) => o.value),
    ['rollout', 'layer-0', 'layer-0-head-0', 'layer-0-head-1', 'layer-1', 'layer-1-head-0', 'layer-1-head-1'],
  );
  assert.equal(options[4].label, 'Layer 2, mean of 2 heads');
  assert.equal(options[6].label, 'Layer 2, head 2');
  assert.equal(new Set(options.map((o) => o.value)).size, options.length);
});

test('a chosen map: the rollout, one head, or a layer averaged over its heads', () => {
  assert.deepEqual(mapOf(maps, { kind: 'rollout' }), [0.25, 0.25, 0.1, 0.4]);
  assert.deepEqual(mapOf(maps, { kind: 'head', layer: 1, head: 0 }), [0, 0, 0, 0.9]);
  const mean = mapOf(maps, { kind: 'layer', layer: 0 });
  for (const [i, v] of [0.2, 0.2, 0.2, 0.3].entries()) {
    assert.ok(Math.abs(mean[i] - v) < 1e-12, `patch ${i}: ${mean[i]}`);
  }
  assert.throws(() => mapOf(maps, { kind: 'layer', layer: 2 }), /layer 3 of 2/);
  assert.throws(() => mapOf(maps, { kind: 'head', layer: 0, head: 5 }), /head 6 of 2/);
});

test('shades are relative to the strongest patch; an empty map shades nothing', () => {
  assert.deepEqual(shades([0.1, 0.4, 0.2, 0]), [0.25, 1, 0.5, 0]);
  assert.deepEqual(shades([0, 0, 0]), [0, 0, 0]);
  assert.deepEqual(strongestPatch(mapOf(maps, { kind: 'head', layer: 1, head: 0 }), 2), {
    row: 1,
    column: 1,
  });
  assert.deepEqual(strongestPatch([0.5, 0.1, 0.5, 0.2], 2), { row: 0, column: 0 });
});
