import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { fitLogisticRegression, predictLogisticRegression } from '../../eval/logistic-regression.ts';
import { runImport } from '../../ingest/registry.ts';
import { exportInference } from '../../onnx/compile.ts';
import { cancelAtFirstStep } from '../../testing/cancel.ts';
import { sharedDataset } from '../../testing/shared-datasets.ts';
import { openWorkspace, type Workspace } from '../../workspace/workspace.ts';
import { clipChannelStats, loadClipSet, sampleFrames } from './clip-set.ts';
import { resolveConfig, type VivitConfig } from './config.ts';
import { inferenceProgram } from './model.ts';
import { drawnObjects, generateMotionDataset, motionClasses, motionClip } from './motion-dataset.ts';
import { evaluateVideoSupervised } from './stored-run.ts';
import { inflatePatchWeights } from './tokens.ts';
import { trainVideo } from './train.ts';

function withWorkspace(t: { after(fn: () => void): void }): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'video-'));
  const workspace = openWorkspace(join(dir, 'w.constellation'));
  t.after(() => {
    workspace.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return workspace;
}

test('uniform frame sampling: middles of equal spans; short clips looped or padded', () => {
  assert.deepEqual([...sampleFrames(16, 4, 'loop')], [2, 6, 10, 14]);
  assert.deepEqual([...sampleFrames(8, 8, 'pad')], [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual([...sampleFrames(3, 7, 'loop')], [0, 1, 2, 0, 1, 2, 0]);
  assert.deepEqual([...sampleFrames(3, 5, 'pad')], [0, 1, 2, -1, -1]);
});

test('tubelet inflation: central frame only, or averaged over the frames', () => {
  const w2 = Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => i + 1); // C 2, P 2, d 3
  const shape = { channels: 2, patch: 2, t: 3, hidden: 3 };
  const central = inflatePatchWeights(w2, shape, 'central');
  const average = inflatePatchWeights(w2, shape, 'average');
  for (let c = 0; c < 2; c++) {
    for (let f = 0; f < 3; f++) {
      for (let k = 0; k < 4; k++) {
        for (let j = 0; j < 3; j++) {
          const from = w2[(c * 4 + k) * 3 + j];
          const at = ((c * 3 + f) * 4 + k) * 3 + j;
          assert.equal(central[at], f === 1 ? from : 0);
          assert.ok(Math.abs(average[at] - from / 3) < 1e-6);
        }
      }
    }
  }
});

test('motion clips: deterministic, balanced, and the mean frame tells nothing of the class while the motion does', () => {
  const spec = { clips: 800, frames: 8, size: 32, lanes: 2 as const, seed: 3 };
  const objects = drawnObjects(12, 50, 3);
  assert.deepEqual(motionClip(spec, objects, 17).pixels, motionClip(spec, objects, 17).pixels);
  const area = 32 * 32;
  // both statistics pooled to 8 x 8 cells, so the regression has few inputs
  const pooled = (frame: (p: number) => number) => {
    const out = new Float64Array(64);
    for (let p = 0; p < area; p++)
      out[Math.floor(p / 32 / 4) * 8 + Math.floor((p % 32) / 4)] += frame(p) / 16 / 255;
    return out;
  };
  const mean = new Float64Array(spec.clips * 64);
  const motion = new Float64Array(spec.clips * 64);
  const labels = new Int32Array(spec.clips);
  for (let i = 0; i < spec.clips; i++) {
    const { pixels, label } = motionClip(spec, objects, i);
    labels[i] = label;
    mean.set(
      pooled((p) => {
        let s = 0;
        for (let f = 0; f < 8; f++) s += pixels[f * area + p];
        return s / 8;
      }),
      i * 64,
    );
    motion.set(
      pooled((p) => pixels[7 * area + p] - pixels[p]),
      i * 64,
    );
  }
  assert.deepEqual(
    [0, 1, 2, 3].map((k) => labels.filter((l) => l === k).length),
    [200, 200, 200, 200],
  );
  const accuracy = (x: Float64Array) => {
    const half = spec.clips / 2;
    const model = fitLogisticRegression(x.subarray(0, half * 64), labels.subarray(0, half), 4, { c: 1 });
    const predicted = predictLogisticRegression(model, x.subarray(half * 64));
    return predicted.filter((p, i) => p === labels[half + i]).length / half;
  };
  const blind = accuracy(mean);
  const seeing = accuracy(motion);
  assert.ok(blind < 0.35, `the mean frame predicts the class at ${blind} (chance 0.25)`);
  assert.ok(seeing > 0.8, `the last minus the first frame predicts it at ${seeing}`);
  assert.deepEqual(motionClasses(2), ['left-left', 'left-right', 'right-left', 'right-right']);
});

test('a generated dataset loads as clips; clips shorter than T are looped or padded and counted', async (t) => {
  const workspace = withWorkspace(t);
  const dataset = await generateMotionDataset(workspace, {
    name: 'short',
    clips: 8,
    frames: 4,
    size: 16,
    lanes: 1,
    seed: 1,
  });
  assert.equal(dataset.kind, 'videos');
  assert.deepEqual(dataset.stats.media, { count: 8, width: 16, height: 16, channels: 1, frames: 4 });
  const shape = { frames: 6, channels: 1 as const, height: 16, width: 16 };
  const looped = await loadClipSet(workspace, 'short', shape, 'loop');
  const padded = await loadClipSet(workspace, 'short', shape, 'pad');
  assert.equal(looped.short, 8);
  assert.equal(padded.short, 8);
  const frame = 256;
  const clip = 6 * frame;
  assert.deepEqual(looped.pixels.subarray(4 * frame, 5 * frame), looped.pixels.subarray(0, frame));
  assert.ok(padded.pixels.subarray(4 * frame, clip).every((v) => v === 0));
  assert.deepEqual(padded.pixels.subarray(0, 4 * frame), looped.pixels.subarray(0, 4 * frame));
  const exact = await loadClipSet(workspace, 'short', { ...shape, frames: 4, height: 8, width: 8 }, 'loop');
  assert.equal(exact.short, 0);
  assert.equal(exact.resized, 8);
  assert.deepEqual(exact.classes, ['left', 'right']);
});

/** Tiny runs: 16 x 16 clips of 4 frames, one lane (left or right), d 16. */
const tiny = (variant: VivitConfig['variant'], extra: Record<string, unknown> = {}) =>
  resolveConfig('quick', {
    variant,
    frames: 4,
    hidden: 16,
    heads: 2,
    layers: 1,
    temporal_layers: 1,
    epochs: 8,
    batch_size: 32,
    patience: 8,
    ...extra,
  });

test('Model 1 and Model 2 learn the direction of motion; the frame-average baseline cannot; eval agrees', async (t) => {
  const workspace = withWorkspace(t);
  await generateMotionDataset(workspace, {
    name: 'motion',
    clips: 240,
    frames: 4,
    size: 16,
    lanes: 1,
    seed: 2,
  });
  const results: Record<string, number> = {};
  for (const variant of ['model1', 'model2', 'frame-average'] as const) {
    const result = await trainVideo(workspace, {
      dataset: 'motion',
      config: tiny(variant),
      device: 'cpu',
      threads: 1,
    });
    results[variant] = result.test.top1;
    assert.equal(result.embeddings, 240);
    assert.equal(workspace.embeddings.get(result.run)?.dim, 16);
    assert.equal(
      result.test.confusion.flat().reduce((a, b) => a + b, 0),
      result.test.images,
    );
    if (variant === 'model2') {
      const evaluation = await evaluateVideoSupervised(workspace, result.run, { threads: 1 });
      assert.equal(evaluation.top1, result.test.top1);
    }
  }
  assert.ok(results.model1 >= 0.8, `model1 test top-1 ${results.model1}`);
  assert.ok(results.model2 >= 0.8, `model2 test top-1 ${results.model2}`);
  assert.ok(results['frame-average'] <= 0.7, `frame-average test top-1 ${results['frame-average']}`);
});

// MViT too: its representation is twice as wide, and dropout is on
for (const { variant, settings, clips, width } of [
  { variant: 'model2', settings: { epochs: 3, batch_size: 16 }, clips: 96, width: 16 },
  { variant: 'mvit', settings: { epochs: 2, layers: 2, dropout: 0.1 }, clips: 48, width: 32 },
] as const) {
  test(`a cancelled ${variant} run resumes from its checkpoint to the end`, async (t) => {
    const workspace = withWorkspace(t);
    await generateMotionDataset(workspace, { name: 'motion', clips, frames: 4, size: 16, lanes: 1, seed: 4 });
    const config = tiny(variant, settings);
    let run = 0;
    await assert.rejects(
      trainVideo(workspace, {
        dataset: 'motion',
        config,
        device: 'cpu',
        threads: 1,
        ...cancelAtFirstStep(),
      }),
      (error: Error) => {
        run = Number(/run (\d+)/.exec(error.message)?.[1]);
        return error.name === 'AbortError';
      },
    );
    assert.equal(workspace.runs.get(run)?.status, 'cancelled');
    const resumed = await trainVideo(workspace, {
      dataset: 'motion',
      config,
      device: 'cpu',
      threads: 1,
      resume: run,
    });
    assert.equal(resumed.run, run);
    assert.equal(resumed.epochs, settings.epochs);
    assert.equal(workspace.runs.get(run)?.status, 'done');
    assert.equal(workspace.embeddings.get(run)?.dim, width);
  });
}

test('real GIF clips import, decode to T frames and embed through a video encoder', async (t) => {
  const path = sharedDataset(t, 'gif-clips');
  if (!path) return;
  const workspace = withWorkspace(t);
  await runImport(workspace, { kind: 'videos', format: 'gif', name: 'gifs', paths: [path] });
  const shape = { frames: 8, channels: 3 as const, height: 32, width: 32 };
  const set = await loadClipSet(workspace, 'gifs', shape, 'loop');
  assert.equal(set.count, 2);
  assert.equal(set.resized, 2);
  assert.equal(set.short, 0);
  assert.equal((await loadClipSet(workspace, 'gifs', { ...shape, frames: 20 }, 'pad')).short, 2);
  const config = resolveConfig('quick', { hidden: 16, heads: 2, layers: 1 });
  const program = inferenceProgram(
    config,
    { frames: 8, channels: 3, size: 32, patch: 8, tubelet: 2, classes: 2 },
    clipChannelStats(set, [0, 1]),
    2,
  );
  const parameters = new Map(program.parameters.map((p) => [p.name, p.init as Float32Array]));
  const session = await ort.InferenceSession.create(exportInference(program, parameters));
  try {
    const out = await session.run({ clips: new ort.Tensor('uint8', set.pixels, [2, 8, 3, 32, 32]) });
    const embedding = out.embedding.data as Float32Array;
    assert.equal(embedding.length, 2 * 16);
    assert.ok(embedding.every(Number.isFinite));
    assert.ok(embedding.subarray(0, 16).some((v, i) => Math.abs(v - embedding[16 + i]) > 1e-4));
  } finally {
    await session.release();
  }
});
