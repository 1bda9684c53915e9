import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchVariants, videoBenchDefaults, videoCost } from './attention-bench.ts';

test('FLOPs per clip: Model 1 grows by more than 2.8x from T = 16 to 32 (quadratic attention), every factorised encoder by under 2.3x', () => {
  const at = (frames: number) =>
    Object.fromEntries(benchVariants.map((v) => [v, videoCost(v, { ...videoBenchDefaults, frames }).flops]));
  const [t16, t32] = [at(16), at(32)];
  const growth = (v: string) => t32[v] / t16[v];
  assert.ok(growth('model1') > 2.8, `model1 x${growth('model1')}`);
  for (const v of ['model2', 'model3', 'model4', 'timesformer', 'mvit', 'frame-average']) {
    assert.ok(growth(v) < 2.3, `${v} x${growth(v)}`);
  }
  // at T = 32 joint attention costs the most, and the frame average no more than any encoder with time
  assert.equal(Math.max(...Object.values(t32)), t32.model1);
  assert.ok(t32['frame-average'] <= Math.min(t32.model2, t32.model3, t32.timesformer));
});
