import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instantiate, SkipGramLayout, seedThreads, writeTables } from '../../kernels/skipgram/kernel.ts';
import { packNoiseTables } from '../../kernels/skipgram/noise.ts';
import { trainSkipGramCpu } from './skipgram-cpu.ts';
import { trainSkipGramReference } from './skipgram-reference.ts';
import { communityCosines, nearestCentroidAccuracy, plantedCorpus } from './testing/planted-corpus.ts';
import type { SkipGramConfig, SkipGramCorpus } from './types.ts';
import { pairsInCorpus } from './types.ts';

const config: SkipGramConfig = {
  dim: 32,
  window: 3,
  negatives: 5,
  epochs: 2,
  lr: 0.025,
  seed: 11,
  threads: 2,
  variant: 'plain',
};

test('the kernel recovers planted communities as well as the TypeScript reference, both variants', async () => {
  const planted = plantedCorpus();
  for (const variant of ['plain', 'plusplus'] as const) {
    const kernel = await trainSkipGramCpu(planted.corpus, planted.vocab, { ...config, variant });
    const reference = await trainSkipGramReference(planted.corpus, planted.vocab, { ...config, variant });
    assert.equal(kernel.pairs, pairsInCorpus(planted.corpus, config.window) * config.epochs);
    assert.equal(kernel.pairs, reference.pairs);
    assert.ok(kernel.embeddings.every(Number.isFinite));
    const ours = nearestCentroidAccuracy(kernel.embeddings, config.dim, planted);
    const theirs = nearestCentroidAccuracy(reference.embeddings, config.dim, planted);
    assert.ok(ours >= 0.9, `${variant}: kernel nearest-centroid accuracy ${ours}`);
    assert.ok(Math.abs(ours - theirs) <= 0.05, `${variant}: kernel ${ours} vs reference ${theirs}`);
    const cos = communityCosines(kernel.embeddings, config.dim, planted);
    assert.ok(cos.within > cos.across + 0.2, `${variant}: within ${cos.within}, across ${cos.across}`);
  }
});

test('the training loss falls over epochs on planted communities, as the reference computes it', async () => {
  const planted = plantedCorpus();
  // untrained, every score is 0 (output rows start at zero): each of the 1 + negatives terms is ln 2
  const untrained = (1 + config.negatives) * Math.LN2;
  for (const variant of ['plain', 'plusplus'] as const) {
    const settings = { ...config, epochs: 4, variant };
    let reportedLoss = 0;
    let reportedPairs = 0;
    let lastDone = 0;
    const kernel = await trainSkipGramCpu(planted.corpus, planted.vocab, settings, {
      onProgress(done, _total, loss) {
        if (loss === undefined) return;
        assert.ok(loss > 0 && loss < untrained + 0.5, `${variant}: reported loss ${loss}`);
        reportedLoss += loss * (done - lastDone);
        reportedPairs += done - lastDone;
        lastDone = done;
      },
    });
    const reference = await trainSkipGramReference(planted.corpus, planted.vocab, settings);
    const losses = kernel.epochLoss;
    assert.equal(losses.length, settings.epochs);
    assert.ok(losses[0] < untrained, `${variant}: first epoch ${losses[0]} vs untrained ${untrained}`);
    assert.ok(losses[0] > losses[1] + 0.3, `${variant}: epochs ${losses}`);
    assert.ok(losses.at(-1)! < 0.5 * untrained, `${variant}: epochs ${losses}`);
    for (let e = 0; e < settings.epochs; e++) {
      const relative = Math.abs(losses[e] - reference.epochLoss[e]) / reference.epochLoss[e];
      assert.ok(
        relative < 0.03,
        `${variant} epoch ${e + 1}: kernel ${losses[e]}, reference ${reference.epochLoss[e]}`,
      );
    }
    // the progress reports, however many the timer made, add up to the same training loss
    assert.equal(reportedPairs, kernel.pairs);
    const overall = losses.reduce((a, b) => a + b, 0) / losses.length;
    assert.ok(
      Math.abs(reportedLoss / reportedPairs - overall) / overall < 0.02,
      `${variant}: ${reportedLoss / reportedPairs} vs ${overall}`,
    );
  }
});

test('one thread is bit-identical for a seed; another seed differs', async () => {
  const planted = plantedCorpus({ walks: 300 });
  const one = { ...config, threads: 1, variant: 'plusplus' as const };
  const a = await trainSkipGramCpu(planted.corpus, planted.vocab, one);
  const b = await trainSkipGramCpu(planted.corpus, planted.vocab, one);
  const c = await trainSkipGramCpu(planted.corpus, planted.vocab, { ...one, seed: 12 });
  assert.deepEqual(Buffer.from(a.embeddings.buffer), Buffer.from(b.embeddings.buffer));
  assert.notDeepEqual(Buffer.from(a.embeddings.buffer), Buffer.from(c.embeddings.buffer));
});

test("the kernel's noise sampler draws ++ negatives from the context's type only, at unigram^0.75", () => {
  const planted = plantedCorpus();
  const { vocab } = planted;
  // skew the counts so the distribution is not uniform
  const counts = Float64Array.from(vocab.counts, (c, v) => c * (1 + (v % 7)));
  const skewed = { ...vocab, counts };
  const noise = packNoiseTables(skewed);
  const layout = new SkipGramLayout({
    size: vocab.size,
    dim: 4,
    types: vocab.types,
    threads: 1,
    negatives: 0,
  });
  const memory = layout.createMemory(0);
  writeTables(memory, layout, noise, vocab.typeOf);
  seedThreads(memory, layout, 3);
  const kernel = instantiate(memory);
  const draws = 200_000;
  for (const segment of [null, 0, 1]) {
    const begin = noise.bounds[segment === null ? 0 : segment + 1];
    const end = noise.bounds[segment === null ? 1 : segment + 2];
    const seen = new Float64Array(vocab.size);
    for (let k = 0; k < draws; k++) {
      seen[
        kernel.sampleNoise(
          layout.noiseProb,
          layout.noisePrimary,
          layout.noiseAlias,
          begin,
          end,
          layout.rng(0),
        )
      ]++;
    }
    let total = 0;
    for (let v = 0; v < vocab.size; v++) {
      if (segment === null || vocab.typeOf[v] === segment) total += counts[v] ** 0.75;
    }
    for (let v = 0; v < vocab.size; v++) {
      const inSegment = segment === null || vocab.typeOf[v] === segment;
      if (!inSegment) {
        assert.equal(seen[v], 0, `token ${v} of type ${vocab.typeOf[v]} drawn for type ${segment}`);
        continue;
      }
      const expected = counts[v] ** 0.75 / total;
      const sd = Math.sqrt((expected * (1 - expected)) / draws);
      assert.ok(
        Math.abs(seen[v] / draws - expected) < 5 * sd + 1e-4,
        `token ${v}: drawn ${seen[v] / draws}, expected ${expected}`,
      );
    }
  }
});

test('aborting stops training with an AbortError; an aborted signal starts nothing', async () => {
  const planted = plantedCorpus({ walks: 20_000 });
  const controller = new AbortController();
  let reports = 0;
  await assert.rejects(
    trainSkipGramCpu(
      planted.corpus,
      planted.vocab,
      { ...config, epochs: 20 },
      {
        signal: controller.signal,
        onProgress(done, total) {
          reports++;
          assert.ok(done <= total);
          controller.abort();
        },
      },
    ),
    { name: 'AbortError' },
  );
  assert.ok(reports >= 1);
  await assert.rejects(
    trainSkipGramCpu(planted.corpus, planted.vocab, config, { signal: AbortSignal.abort() }),
    { name: 'AbortError' },
  );
});

test('degenerate input: one token, empty corpus, tokens outside the vocabulary, bad config', async () => {
  const single = { size: 1, counts: Float64Array.of(6), typeOf: Int32Array.of(0), types: 1 };
  const oneToken: SkipGramCorpus = { tokens: new Int32Array(6), offsets: Int32Array.of(0, 3, 6) };
  const result = await trainSkipGramCpu(oneToken, single, config);
  assert.ok(result.embeddings.every(Number.isFinite));
  assert.equal(result.pairs, pairsInCorpus(oneToken, config.window) * config.epochs);

  const empty: SkipGramCorpus = { tokens: new Int32Array(0), offsets: Int32Array.of(0) };
  await assert.rejects(trainSkipGramCpu(empty, single, config), /no \(center, context\) pair/);
  const stray: SkipGramCorpus = { tokens: Int32Array.of(0, 5), offsets: Int32Array.of(0, 2) };
  await assert.rejects(trainSkipGramCpu(stray, single, config), /token 5 at 1, outside the vocabulary/);
  await assert.rejects(trainSkipGramCpu(oneToken, single, { ...config, dim: 0 }), /dim must be/);
  await assert.rejects(trainSkipGramCpu(oneToken, single, { ...config, dim: 1e9 }), /4 GiB/);
});

test('a streamed corpus trains every chunk each epoch with one learning-rate decay', async () => {
  const planted = plantedCorpus();
  const { tokens, offsets } = planted.corpus;
  const half = (offsets.length - 1) >> 1;
  const chunks: SkipGramCorpus[] = [
    { tokens: tokens.subarray(0, offsets[half]), offsets: offsets.subarray(0, half + 1) },
    {
      tokens: tokens.subarray(offsets[half]),
      offsets: offsets.subarray(half).map((o) => o - offsets[half]),
    },
  ];
  const stream = {
    async *[Symbol.asyncIterator]() {
      yield* chunks;
    },
  };
  const totalPairs = pairsInCorpus(planted.corpus, config.window);
  let last = 0;
  const result = await trainSkipGramCpu({ chunks: stream, totalPairs }, planted.vocab, config, {
    onProgress(done) {
      last = done;
    },
  });
  assert.equal(result.pairs, totalPairs * config.epochs);
  assert.equal(last, totalPairs * config.epochs);
  assert.ok(nearestCentroidAccuracy(result.embeddings, config.dim, planted) >= 0.9);
});
