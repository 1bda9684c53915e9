import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dispatch } from '../../api/dispatcher.ts';
import { readCheckpoint } from '../../onnx/runtime/checkpoint.ts';
import { openWorkspace, type Workspace } from '../../workspace/workspace.ts';
import { bestCheckpoint, runDirectory } from '../run-directory.ts';
import { barsCsv, importImages } from '../vision/fixtures.ts';
import { resolveConfig as resolveVitConfig } from '../vit/config.ts';
import { inferenceProgram as vitInferenceProgram } from '../vit/model.ts';
import { trainVit, type VitData, shapeOf as vitShapeOf } from '../vit/train.ts';
import { resolveConfig, type VivitConfig } from './config.ts';
import { initialiseFromImageRun } from './init-from-run.ts';
import { trainProgram } from './model.ts';
import { generateMotionDataset } from './motion-dataset.ts';
import { evaluateVideoSupervised } from './stored-run.ts';
import { inflatePatchWeights } from './tokens.ts';
import { trainVideo } from './train.ts';
import { representationWidth } from './variants.ts';

function scratch(t: { after(fn: () => void): void }): { dir: string; path: string; workspace: Workspace } {
  const dir = mkdtempSync(join(tmpdir(), 'video-variants-'));
  const path = join(dir, 'w.constellation');
  const workspace = openWorkspace(path);
  t.after(() => {
    workspace.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, path, workspace };
}

/** 16 x 16 clips of 4 frames, d 16: a few seconds per run. */
const tiny = (variant: VivitConfig['variant'], extra: Record<string, unknown> = {}) =>
  resolveConfig('quick', {
    variant,
    frames: 4,
    hidden: 16,
    heads: 2,
    layers: variant === 'mvit' ? 2 : 1,
    epochs: 6,
    batch_size: 16,
    patience: 6,
    ...extra,
  });

test('Model 3, TimeSformer, Model 4 and MViT train through the trainer (loss falls), store clip embeddings and evaluate', async (t) => {
  const { workspace } = scratch(t);
  await generateMotionDataset(workspace, {
    name: 'motion',
    clips: 96,
    frames: 4,
    size: 16,
    lanes: 1,
    seed: 5,
  });
  // between them: tubelets and 2-D patches, dropout on and off (in 30 steps the divided and
  // factorised encoders learn the motion from tubelets; from 2-D patches they need longer)
  const cases: [VivitConfig['variant'], Record<string, unknown>][] = [
    ['model3', { tubelet: 2, dropout: 0.1 }],
    ['timesformer', { tubelet: 2, dropout: 0.1, attention_dropout: 0.1 }],
    ['model4', { tubelet: 2 }],
    ['mvit', { tubelet: 1 }],
  ];
  for (const [variant, extra] of cases) {
    const config = tiny(variant, extra);
    const result = await trainVideo(workspace, { dataset: 'motion', config, device: 'cpu', threads: 1 });
    assert.equal(result.variant, variant);
    assert.equal(result.data.tubelet, extra.tubelet);
    const losses = workspace.runs.metrics(result.run)['train/epoch_loss'].values;
    assert.equal(losses.length, 6);
    assert.ok(
      losses[5] < 0.9 * losses[0],
      `${variant}: epoch losses ${[...losses].map((l) => l.toFixed(3))}`,
    );
    assert.equal(result.embeddings, 96);
    const width = representationWidth(config);
    assert.equal(workspace.embeddings.get(result.run)?.dim, width);
    assert.equal(width, variant === 'mvit' ? 32 : 16);
    assert.equal(
      result.test.confusion.flat().reduce((a, b) => a + b, 0),
      result.test.images,
    );
    const evaluation = await evaluateVideoSupervised(workspace, result.run, { threads: 1 });
    assert.equal(evaluation.top1, result.test.top1, variant);
  }
});

test('init_from_run: Models 3 and 4 and TimeSformer start their spatial weights from a ViT run', async (t) => {
  const { dir, workspace } = scratch(t);
  await importImages(workspace, 'bars', barsCsv(dir, { classes: 2, perClass: 8 }));
  // a ViT of the video models' width reading 16 x 16 images in patches of 4, as the clips will be
  const vit = await trainVit(workspace, {
    dataset: 'bars',
    config: resolveVitConfig('quick', { image_size: 16, hidden: 16, heads: 2, layers: 2, epochs: 1 }),
    device: 'cpu',
    threads: 1,
  });
  const stored = workspace.runs.get(vit.run)!.config as unknown as { data: VitData };
  const vitConfig = resolveVitConfig('quick', { image_size: 16, hidden: 16, heads: 2, layers: 2, epochs: 1 });
  const image = (
    await readCheckpoint(
      bestCheckpoint(runDirectory(workspace.path, vit.run)),
      vitInferenceProgram(vitConfig, vitShapeOf(stored.data), stored.data.normalisation, 1),
    )
  ).parameters as Record<string, Float32Array>;
  assert.equal(stored.data.patch, 4);
  const d = 16;
  const perFrame = 16;
  const shape = { frames: 4, channels: 1 as const, size: 16, patch: 4, tubelet: 2, classes: 2 };
  const norm = { mean: [0.5], std: [0.25] };
  for (const variant of ['model3', 'timesformer', 'model4'] as const) {
    const config = tiny(variant, { layers: 2, init_from_run: vit.run });
    const program = trainProgram(config, shape, norm, 4, 10);
    const before = new Map(program.parameters.map((p) => [p.name, p.init]));
    const set = await initialiseFromImageRun(workspace, vit.run, program, config, shape);
    const value = (name: string) => program.parameters.find((p) => p.name === name)!.init;
    for (const name of ['encoder/layer0/attn/wqkv', 'encoder/layer1/ffn/w2', 'encoder/norm/gamma']) {
      assert.deepEqual(value(name), image[name], `${variant} ${name}`);
      assert.ok(set.includes(name));
    }
    assert.deepEqual(
      value('embedding/tubelet/w'),
      inflatePatchWeights(image['embedding/patch/w'], { channels: 1, patch: 4, t: 2, hidden: d }, 'central'),
    );
    assert.ok(!set.some((name) => name.startsWith('head/')));
    const positions = value('embedding/positions');
    if (variant === 'timesformer') {
      // ViT's [CLS] and positions as they are; the time embedding and the temporal attentions its own
      assert.deepEqual(positions, image['embedding/positions']);
      assert.deepEqual(value('embedding/cls'), image['embedding/cls']);
      assert.ok(value('embedding/time').every((v) => v === 0));
      assert.ok(value('encoder/layer0/temporal_attn/wo').some((v) => v !== 0));
      assert.ok(value('encoder/layer1/temporal_attn/wo').every((v) => v === 0));
    } else {
      // no [CLS]: the image's patch positions at each of the 2 time steps
      assert.equal(positions.length, 2 * perFrame * d);
      for (const step of [0, 1]) {
        assert.deepEqual(
          positions.subarray(step * perFrame * d, (step + 1) * perFrame * d),
          image['embedding/positions'].subarray(d),
        );
      }
    }
    if (variant === 'model3') {
      for (const layer of [0, 1]) {
        assert.ok(value(`encoder/layer${layer}/temporal_attn/wo`).every((v) => v === 0));
        assert.deepEqual(
          value(`encoder/layer${layer}/temporal_attn/wqkv`),
          before.get(`encoder/layer${layer}/temporal_attn/wqkv`),
        );
      }
    }
  }
});

test('shapes a variant cannot take are refused before a run starts, naming the setting', async (t) => {
  const { path, workspace } = scratch(t);
  assert.throws(
    () => resolveConfig('quick', { variant: 'model4', hidden: 48, heads: 3 }),
    /heads \(3\) must be even/,
  );
  assert.throws(
    () => resolveConfig('quick', { variant: 'mvit', layers: 1 }),
    /layers \(1\) must be at least 2/,
  );
  resolveConfig('quick', { variant: 'model3', hidden: 48, heads: 3 });
  // 12 x 12 frames in patches of 4: a 3 x 3 grid, which MViT cannot halve
  await generateMotionDataset(workspace, { name: 'odd', clips: 8, frames: 4, size: 12, lanes: 1, seed: 7 });
  await assert.rejects(
    trainVideo(workspace, {
      dataset: 'odd',
      config: tiny('mvit', { patch: 4 }),
      device: 'cpu',
      threads: 1,
    }),
    (e: Error & { setting?: string }) =>
      e.name === 'VideoShapeRefused' && e.setting === 'patch' && /3 x 3 grid/.test(e.message),
  );
  await assert.rejects(
    dispatch(
      'train.vivit',
      { dataset: 'odd', settings: { variant: 'mvit', patch: 4, layers: 2 } },
      { workspace: path },
    ),
    (e: Error & { code?: string }) => e.code === 'refused' && /set patch/.test(e.message),
  );
  await assert.rejects(
    dispatch('train.vivit', { dataset: 'odd', settings: { patch: 5 } }, { workspace: path }),
    (e: Error & { code?: string }) => e.code === 'refused' && /patch 5 does not tile 12 x 12/.test(e.message),
  );
  await assert.rejects(
    dispatch(
      'train.vivit',
      { dataset: 'odd', settings: { variant: 'model4', heads: 1 } },
      { workspace: path },
    ),
    (e: Error & { code?: string }) => e.code === 'invalid-input' && /heads/.test(e.message),
  );
  assert.equal(workspace.runs.list().length, 0);
});

test('a run over clips shorter than T pads (or loops) them and reports how many', async (t) => {
  const { workspace } = scratch(t);
  await generateMotionDataset(workspace, {
    name: 'short',
    clips: 12,
    frames: 4,
    size: 16,
    lanes: 1,
    seed: 9,
  });
  for (const short_clips of ['pad', 'loop'] as const) {
    const result = await trainVideo(workspace, {
      dataset: 'short',
      config: tiny('timesformer', { frames: 6, short_clips, epochs: 1 }),
      device: 'cpu',
      threads: 1,
    });
    assert.deepEqual(result.data.short_clips, { count: 12, handled: short_clips });
    assert.equal(result.data.frames, 6);
  }
});
