// The ONNX graph trainer against the WebAssembly kernel on the same planted corpus: on the cpu
// provider, and on webgpu through SwiftShader (this file is its own process under node --test,
// so pointing the Vulkan loader at SwiftShader here affects nothing else).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { pointVulkanAtSwiftShader } from '../../onnx/runtime/testing/swiftshader.ts';
import { trainSkipGramCpu } from './skipgram-cpu.ts';
import { skipGramGraphTrainer } from './skipgram-graph.ts';
import { nearestCentroidAccuracy, plantedCorpus } from './testing/planted-corpus.ts';
import type { SkipGramConfig } from './types.ts';
import { pairsInCorpus } from './types.ts';

const swiftshader = pointVulkanAtSwiftShader();
after(() => {
  if (swiftshader.icd) swiftshader.cleanup();
});

const config: SkipGramConfig = {
  dim: 32,
  window: 3,
  negatives: 5,
  epochs: 2,
  lr: 0.025,
  seed: 5,
  threads: 1,
  variant: 'plusplus',
};

const planted = plantedCorpus({ walks: 400 });
let kernelRun: { accuracy: number; epochLoss: number[] } | null = null;
async function kernelQuality(): Promise<{ accuracy: number; epochLoss: number[] }> {
  if (kernelRun === null) {
    const trained = await trainSkipGramCpu(planted.corpus, planted.vocab, config);
    kernelRun = {
      accuracy: nearestCentroidAccuracy(trained.embeddings, config.dim, planted),
      epochLoss: trained.epochLoss,
    };
  }
  return kernelRun;
}

test('the graph trainer on cpu recovers planted communities as well as the kernel', async (t) => {
  const losses: number[] = [];
  const train = skipGramGraphTrainer({ device: 'cpu', batchSize: 512 });
  const result = await train(planted.corpus, planted.vocab, config, {
    onProgress: (_done, _total, loss) => losses.push(loss ?? Number.NaN),
  });
  assert.equal(result.pairs, pairsInCorpus(planted.corpus, config.window) * config.epochs);
  assert.ok(result.embeddings.every(Number.isFinite));
  assert.ok(losses.length > 0 && losses.every((l) => l > 0), `reported losses ${losses}`);
  const graph = nearestCentroidAccuracy(result.embeddings, config.dim, planted);
  const kernel = await kernelQuality();
  t.diagnostic(`graph ${graph}, kernel ${kernel.accuracy}, ${result.seconds.toFixed(1)} s`);
  t.diagnostic(`epoch loss: graph ${result.epochLoss}, kernel ${kernel.epochLoss}`);
  assert.ok(graph >= 0.9, `graph trainer accuracy ${graph}`);
  assert.ok(Math.abs(graph - kernel.accuracy) <= 0.05, `graph ${graph} vs kernel ${kernel.accuracy}`);
  // the same loss as the kernel's: it falls, and ends where the kernel's ends
  assert.equal(result.epochLoss.length, config.epochs);
  assert.ok(result.epochLoss[1] < result.epochLoss[0], `graph epochs ${result.epochLoss}`);
  const last = kernel.epochLoss[1];
  assert.ok(
    Math.abs(result.epochLoss[1] - last) / last < 0.1,
    `graph ${result.epochLoss}, kernel ${kernel.epochLoss}`,
  );
});

// ScatterND's add on WebGPU is an atomic compare-exchange loop; on SwiftShader, with a planted
// vocabulary of 160 rows, the contention makes a step take tens of seconds (the full run above
// took 9 minutes there, reaching the same accuracy). So webgpu runs a few steps and must give
// the cpu provider's tables: the same graph, hence the same quality.
test("the graph trainer on webgpu gives the cpu provider's embeddings", async (t) => {
  if (swiftshader.icd === null) {
    const message = `no SwiftShader Vulkan driver found (install chromium); looked at ${swiftshader.searched.join(', ')}`;
    if (process.env.CI) assert.fail(message);
    t.skip(message);
    return;
  }
  const small = plantedCorpus({ walks: 60 });
  const short = { ...config, epochs: 1 };
  const run = (device: 'cpu' | 'webgpu') =>
    skipGramGraphTrainer({ device, batchSize: 2048 })(small.corpus, small.vocab, short);
  const cpu = await run('cpu');
  const webgpu = await run('webgpu');
  t.diagnostic(`webgpu: ${webgpu.pairs} pairs in ${webgpu.seconds.toFixed(1)} s`);
  assert.equal(webgpu.pairs, cpu.pairs);
  let worst = 0;
  for (let k = 0; k < cpu.embeddings.length; k++) {
    worst = Math.max(worst, Math.abs(cpu.embeddings[k] - webgpu.embeddings[k]));
  }
  assert.ok(worst < 1e-4, `largest difference ${worst}`);
});
