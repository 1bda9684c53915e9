// Skip-gram with negative sampling (word2vec SGNS, metapath2vec and metapath2vec++), compiled
// by AssemblyScript to WebAssembly SIMD (`npm run build:kernels`). The file is AssemblyScript,
// not TypeScript (i32, f32, v128, load/store); its extension keeps it out of tsc and Biome.
//
// Every table lives in one shared memory that the host (skipgram-cpu.ts) lays out and passes
// to each worker's instance; the module owns no data segment and allocates nothing, so the
// instances never overwrite each other's state. Threads update the tables without locks
// (Hogwild, as word2vec and gensim do): with sparse rows the lost updates do not matter.

// The logistic function is read from a table of SIGMOID_SIZE values over [-MAX_EXP, MAX_EXP]
// that the host fills; beyond it the gradient saturates (word2vec's EXP_TABLE). A second table on
// the same grid holds -log σ, the loss of a positive score; a negative's loss -log σ(-f) is
// f - log σ(f), so one lookup serves both.
const SIGMOID_SIZE: i32 = 1024;
const MAX_EXP: f32 = 6.0;
const SIGMOID_SCALE: f32 = <f32>SIGMOID_SIZE / (2.0 * MAX_EXP);
// Pairs a thread trains between two reads of the shared progress counter (learning rate, cancel).
const FLUSH_PAIRS: i64 = 4096;

// xorshift64*: one u64 of state per thread, kept in shared memory between calls so that a
// thread's stream continues across chunks and epochs.
// @ts-ignore: decorator
@inline
function nextRandom(state: u64): u64 {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state;
}

// @ts-ignore: decorator
@inline
function scramble(state: u64): u64 {
  return state * 0x2545f4914f6cdd1d;
}

// Walker's alias method over the non-empty segment [begin, end) of the noise tables: one draw
// picks a slot uniformly and a coin its own token or its alias. prob f32, primary and alias i32.
// @ts-ignore: decorator
@inline
function drawNoise(r: u64, prob: usize, primary: usize, alias: usize, begin: i32, end: i32): i32 {
  const n = <u64>(end - begin);
  const slot = begin + <i32>(((r >> 32) * n) >> 32);
  const coin = <f32>(<u32>(r & 0xffffff)) * (1.0 / 16777216.0);
  const at = <usize>slot << 2;
  return coin < load<f32>(prob + at) ? load<i32>(primary + at) : load<i32>(alias + at);
}

// @ts-ignore: decorator
@inline
function dot(a: usize, b: usize, dim: i32): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let k = 0;
  for (; k + 8 <= dim; k += 8) {
    const o = <usize>k << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
  }
  if (k + 4 <= dim) {
    const o = <usize>k << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    k += 4;
  }
  const acc = f32x4.add(acc0, acc1);
  let sum =
    f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; k < dim; k++) {
    const o = <usize>k << 2;
    sum += load<f32>(a + o) * load<f32>(b + o);
  }
  return sum;
}

// y += x
// @ts-ignore: decorator
@inline
function addTo(x: usize, y: usize, dim: i32): void {
  let k = 0;
  for (; k + 4 <= dim; k += 4) {
    const o = <usize>k << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(x + o)));
  }
  for (; k < dim; k++) {
    const o = <usize>k << 2;
    store<f32>(y + o, load<f32>(y + o) + load<f32>(x + o));
  }
}

// One SGD step of a (center, target) score in a single pass over the dimension: the center's
// gradient g * out goes to `grad` (applied after all targets, as word2vec does) while the target
// row moves by g * in. The first target of a pair starts `grad` (`first`) instead of adding to it.
// @ts-ignore: decorator
@inline
function step(g: f32, input: usize, output: usize, grad: usize, dim: i32, first: bool): void {
  const gv = f32x4.splat(g);
  let k = 0;
  for (; k + 8 <= dim; k += 8) {
    const o = <usize>k << 2;
    const out0 = v128.load(output + o);
    const out1 = v128.load(output + o, 16);
    const grad0 = f32x4.mul(gv, out0);
    const grad1 = f32x4.mul(gv, out1);
    v128.store(grad + o, first ? grad0 : f32x4.add(v128.load(grad + o), grad0));
    v128.store(grad + o, first ? grad1 : f32x4.add(v128.load(grad + o, 16), grad1), 16);
    v128.store(output + o, f32x4.add(out0, f32x4.mul(gv, v128.load(input + o))));
    v128.store(output + o, f32x4.add(out1, f32x4.mul(gv, v128.load(input + o, 16))), 16);
  }
  for (; k < dim; k++) {
    const o = <usize>k << 2;
    const out = load<f32>(output + o);
    store<f32>(grad + o, first ? g * out : load<f32>(grad + o) + g * out);
    store<f32>(output + o, out + g * load<f32>(input + o));
  }
}

/**
 * Fills `count` floats at `table` uniformly in [-0.5/dim, 0.5/dim) (word2vec's input init)
 * from the generator state at `rng`.
 */
export function initInput(table: usize, count: i32, dim: i32, rng: usize): void {
  let state = load<u64>(rng);
  const scale: f32 = 1.0 / <f32>dim;
  for (let i = 0; i < count; i++) {
    state = nextRandom(state);
    const u = <f32>(<u32>(scramble(state) >> 40)) * (1.0 / 16777216.0);
    store<f32>(table + (<usize>i << 2), (u - 0.5) * scale);
  }
  store<u64>(rng, state);
}

/** One noise draw from segment [begin, end) (exported so tests can check the sampler itself). */
export function sampleNoise(prob: usize, primary: usize, alias: usize, begin: i32, end: i32, rng: usize): i32 {
  const state = nextRandom(load<u64>(rng));
  store<u64>(rng, state);
  return drawNoise(scramble(state), prob, primary, alias, begin, end);
}

/**
 * Trains walks [walkBegin, walkEnd) of the corpus at (tokens, offsets) once. For each center
 * position i and each context position j != i within `window` of it, one positive update of
 * (input[center], output[context]) and `negatives` updates against noise tokens drawn from
 * segment `bounds[0..1)` (plain) or from the context token's type segment
 * `bounds[type + 1 .. type + 2)` (plusplus), each by the gradient of log σ.
 *
 * The learning rate decays linearly in the pairs done by all threads together (the i64 at
 * `pairsDone`, which this call advances), from lr0 at 0 to minLr at `totalPairs`. A non-zero
 * i32 at `cancel` stops the call at its next flush. Returns the pairs this call trained.
 * `scratch` holds dim floats of gradient, then 8 bytes for each of the negatives + 1 targets.
 *
 * The training loss of every pair, -log σ(f) of its positive score plus -log σ(-f) of each
 * negative's, scored before the pair's update, is added up at each flush into the thread's own
 * accumulator at `loss`: the f64 sum, then (atomically, after it) the i64 count of its pairs.
 */
export function trainWalks(
  input: usize,
  output: usize,
  dim: i32,
  tokens: usize,
  offsets: usize,
  walkBegin: i32,
  walkEnd: i32,
  window: i32,
  negatives: i32,
  noiseProb: usize,
  noisePrimary: usize,
  noiseAlias: usize,
  bounds: usize,
  typeOf: usize,
  plusplus: i32,
  sigmoid: usize,
  negLogSigmoid: usize,
  scratch: usize,
  rng: usize,
  loss: usize,
  pairsDone: usize,
  cancel: usize,
  totalPairs: f64,
  lr0: f32,
  minLr: f32,
): f64 {
  let state = load<u64>(rng);
  const rowBytes = <usize>dim << 2;
  const plainBegin = load<i32>(bounds);
  const plainEnd = load<i32>(bounds, 4);
  // (target, gradient) of the current pair, after the gradient row in the thread's scratch
  const slots = scratch + rowBytes;
  let lr = learningRate(<f64>atomic.load<i64>(pairsDone), totalPairs, lr0, minLr);
  let pending: i64 = 0;
  let pendingLoss: f64 = 0;
  let trained: f64 = 0;

  for (let w = walkBegin; w < walkEnd; w++) {
    const first = load<i32>(offsets + (<usize>w << 2));
    const last = load<i32>(offsets + (<usize>(w + 1) << 2));
    for (let i = first; i < last; i++) {
      const center = load<i32>(tokens + (<usize>i << 2));
      const l1 = input + <usize>center * rowBytes;
      const from = max(first, i - window);
      const to = min(last - 1, i + window);
      for (let j = from; j <= to; j++) {
        if (j == i) continue;
        const context = load<i32>(tokens + (<usize>j << 2));
        let begin = plainBegin;
        let end = plainEnd;
        if (plusplus) {
          const at = bounds + (<usize>(load<i32>(typeOf + (<usize>context << 2)) + 1) << 2);
          begin = load<i32>(at);
          end = load<i32>(at, 4);
        }
        // an empty noise segment (its tokens all have count 0) gives no negatives
        const draws = end > begin ? negatives : 0;
        // The targets first (the context, then the noise draws that differ from it), then every
        // score, then every update: the row loads of all targets are independent of each other and
        // go to memory together, where a draw-score-update loop waited for one row at a time.
        // Scores thus see the rows as they were before this pair (word2vec's l1 does too).
        store<i32>(slots, context);
        let n = 1;
        for (let d = 0; d < draws; d++) {
          state = nextRandom(state);
          const noise = drawNoise(scramble(state), noiseProb, noisePrimary, noiseAlias, begin, end);
          if (noise == context) continue;
          store<i32>(slots + (<usize>n << 3), noise);
          n++;
        }
        for (let s = 0; s < n; s++) {
          const at = slots + (<usize>s << 3);
          const f = dot(l1, output + <usize>load<i32>(at) * rowBytes, dim);
          const label: f32 = s == 0 ? 1 : 0;
          let g: f32;
          // -log σ(f): beyond the table, 0 above it and -f below it (log(1 + e^-6) = 0.0025)
          let positiveLoss: f32;
          if (f >= MAX_EXP) {
            g = (label - 1) * lr;
            positiveLoss = 0;
          } else if (f < -MAX_EXP) {
            g = label * lr;
            positiveLoss = -f;
          } else {
            const cell = <usize>(<i32>((f + MAX_EXP) * SIGMOID_SCALE)) << 2;
            g = (label - load<f32>(sigmoid + cell)) * lr;
            positiveLoss = load<f32>(negLogSigmoid + cell);
          }
          pendingLoss += <f64>(s == 0 ? positiveLoss : positiveLoss + f);
          store<f32>(at, g, 4);
        }
        for (let s = 0; s < n; s++) {
          const at = slots + (<usize>s << 3);
          step(load<f32>(at, 4), l1, output + <usize>load<i32>(at) * rowBytes, scratch, dim, s == 0);
        }
        addTo(scratch, l1, dim);
        pending++;
      }
    }
    if (pending >= FLUSH_PAIRS || w + 1 == walkEnd) {
      const done = atomic.add<i64>(pairsDone, pending) + pending;
      store<f64>(loss, load<f64>(loss) + pendingLoss);
      atomic.store<i64>(loss + 8, load<i64>(loss, 8) + pending);
      trained += <f64>pending;
      pending = 0;
      pendingLoss = 0;
      lr = learningRate(<f64>done, totalPairs, lr0, minLr);
      if (atomic.load<i32>(cancel) != 0) break;
    }
  }
  store<u64>(rng, state);
  return trained;
}

// @ts-ignore: decorator
@inline
function learningRate(done: f64, total: f64, lr0: f32, minLr: f32): f32 {
  const lr = <f32>(<f64>lr0 - <f64>(lr0 - minLr) * (done / total));
  return lr < minLr ? minLr : lr;
}
