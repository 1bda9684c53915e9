import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { dispatch } from '../../api/dispatcher.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { barsCsv, importImages } from '../vision/fixtures.ts';
import { decodeInto } from '../vision/image-set.ts';
import { attentionMaps, attentionRollout } from './attention.ts';
import { inferenceProgram } from './model.ts';
import { bestParametersSession, storedVitRun } from './stored-run.ts';
import { shapeOf, trainVit } from './train.ts';

test('rollout composes (A + I) / 2 of the head-averaged attention, last layer on the left', () => {
  // layer 1: heads identity and swap, mean all 0.5, so (A + I) / 2 = [[.75, .25], [.25, .75]]
  // layer 2: both heads look at token 1, so (A + I) / 2 = [[.5, .5], [0, 1]]
  // R = [[.5, .5], [0, 1]] x [[.75, .25], [.25, .75]] = [[.5, .5], [.25, .75]]
  const rollout = attentionRollout(
    [
      [1, 0, 0, 1, 0, 1, 1, 0],
      [0, 1, 0, 1, 0, 1, 0, 1],
    ],
    2,
    2,
  );
  assert.deepEqual(Array.from(rollout), [0.5, 0.5, 0.25, 0.75]);
  assert.deepEqual(Array.from(attentionRollout([], 2, 2)), [1, 0, 0, 1]);
});

test("a trained run's attention maps: layers x heads x patches, rows summing to 1, rollout from them; by id, key and the API", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vit-attention-'));
  const path = join(dir, 'workspace.sqlite');
  const workspace = openWorkspace(path);
  t.after(() => {
    workspace.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await importImages(workspace, 'bars', barsCsv(dir, { classes: 2, perClass: 20 }));
  const { run } = await trainVit(workspace, {
    dataset: 'bars',
    config: { preset: 'quick', overrides: { epochs: 2, batch_size: 16 } },
    device: 'cpu',
    threads: 1,
  });
  const { config, data, dataset } = storedVitRun(workspace, run, 'the test');
  const [media] = workspace.media.page(dataset.id, 0).rows;
  const maps = await attentionMaps(workspace, run, media.entityId, { threads: 1 });
  assert.deepEqual(
    [maps.layers, maps.heads, maps.grid, maps.patch, maps.image_size],
    [config.layers, config.heads, 4, 2, 8],
  );
  assert.equal(maps.cls.length, config.layers);
  for (const layer of maps.cls) {
    assert.equal(layer.length, config.heads);
    for (const head of layer) assert.equal(head.length, 16);
  }
  assert.equal(maps.rollout.length, 16);
  assert.ok(Math.abs(maps.rollout.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.ok(maps.rollout.every((x) => x > 0));
  assert.ok(data.classes.includes(maps.predicted));

  // the same graph read directly: every attention row of every head sums to 1, and the maps are its [CLS] rows
  const program = inferenceProgram(config, shapeOf(data), data.normalisation, 1, { attentions: true });
  const session = await bestParametersSession(workspace, run, program, 1);
  t.after(() => session.release());
  const pixels = new Uint8Array(64);
  await decodeInto(media, { channels: 1, height: 8, width: 8 }, pixels);
  const out = await session.run({ images: new ort.Tensor('uint8', pixels, [1, 1, 8, 8]) });
  const tokens = 17;
  const layers = Array.from({ length: config.layers }, (_, l) => out[`attention${l}`].data as Float32Array);
  for (const [l, attention] of layers.entries()) {
    assert.deepEqual(out[`attention${l}`].dims, [1, config.heads, tokens, tokens]);
    for (let row = 0; row < config.heads * tokens; row++) {
      const sum = attention.subarray(row * tokens, (row + 1) * tokens).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `layer ${l} row ${row} sums to ${sum}`);
    }
    for (let h = 0; h < config.heads; h++) {
      const clsRow = attention.subarray(h * tokens * tokens + 1, h * tokens * tokens + tokens);
      assert.deepEqual(maps.cls[l][h], Array.from(clsRow));
    }
  }
  const rollout = attentionRollout(layers, config.heads, tokens).subarray(1, tokens);
  const total = rollout.reduce((a, b) => a + b, 0);
  for (const [i, x] of maps.rollout.entries()) assert.ok(Math.abs(x - rollout[i] / total) < 1e-12);

  const byKey = (await dispatch(
    'vit.attention',
    { run, entity: media.key },
    { workspace: path },
  )) as typeof maps;
  assert.deepEqual(byKey.rollout, maps.rollout);
  assert.equal(byKey.entity.id, media.entityId);
  await assert.rejects(
    dispatch('vit.attention', { run, entity: 'no-such-image' }, { workspace: path }),
    (e: Error & { code?: string }) => e.code === 'refused' && /has no image no-such-image/.test(e.message),
  );
});
