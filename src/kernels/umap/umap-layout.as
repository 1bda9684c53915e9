// One epoch of UMAP's layout optimisation over a range of edges (McInnes, Healy, Melville 2018;
// umap-learn's `_optimize_layout_euclidean_single_epoch`), compiled by AssemblyScript to
// WebAssembly (`npm run build:kernels`). The file is AssemblyScript, not TypeScript; its extension
// keeps it out of tsc and Biome.
//
// Each edge is sampled in proportion to its weight: it pulls its two ends together, then pushes
// its head away from a few uniformly drawn points. Everything lives in one shared memory that the
// host (src/analysis/umap-memory.ts) lays out and hands to every thread's instance; threads own
// disjoint edges and race on points (Hogwild, as umap-learn's parallel mode). The module owns no
// data segment and allocates nothing.
//
// Each step needs one power d^(2b) with a fitted b: JavaScript's Math.pow (or exp and log) cost
// about two thirds of the layout's time, so x^y here is exp(y ln x) from the bits of the float:
// ln from the exponent field and an atanh series of the mantissa, exp from a polynomial on
// [-ln2/2, ln2/2] scaled by 2^k written into the exponent field. Relative error below 1e-12.

const LN2: f64 = 0.6931471805599453;
const INV_LN2: f64 = 1.4426950408889634;
const SQRT2: f64 = 1.4142135623730951;
// umap-learn clips each gradient component to [-4, 4] so that no single step throws a point away
const CLIP: f64 = 4.0;

// @ts-ignore: decorator
@inline
function powPositive(x: f64, y: f64): f64 {
  const bits = reinterpret<u64>(x);
  let exponent = <i32>(bits >> 52) - 1023;
  let m = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000);
  if (m > SQRT2) {
    m *= 0.5;
    exponent++;
  }
  const s = (m - 1.0) / (m + 1.0);
  const s2 = s * s;
  const lnM =
    2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0 + s2 * (1.0 / 13.0)))))));
  const t = y * (<f64>exponent * LN2 + lnM) * INV_LN2;
  // beyond 2^-1000 or 2^1000 the step is 0 or saturated by the clip anyway
  const tc = t < -1000.0 ? -1000.0 : t > 1000.0 ? 1000.0 : t;
  const k = floor(tc + 0.5);
  const r = (tc - k) * LN2;
  const er =
    1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0 + r * (1.0 / 40320.0 + r * (1.0 / 362880.0)))))))));
  return er * reinterpret<f64>(<u64>(<i64>k + 1023) << 52);
}

// @ts-ignore: decorator
@inline
function clip(g: f64): f64 {
  return g > CLIP ? CLIP : g < -CLIP ? -CLIP : g;
}

// embedding: n x 2 f32; head, tail: i32 per edge; period, nextSample, nextNegative: f64 per edge
// (epochs between two samples, and the clocks); rng: this thread's u32 xorshift state.
export function layoutEpoch(
  embedding: usize,
  head: usize,
  tail: usize,
  period: usize,
  nextSample: usize,
  nextNegative: usize,
  rng: usize,
  n: i32,
  begin: i32,
  end: i32,
  epoch: f64,
  epochs: f64,
  a: f64,
  b: f64,
  gamma: f64,
  negativeRate: f64,
): void {
  const alpha = 1.0 - epoch / epochs;
  const attract = -2.0 * a * b;
  const repel = 2.0 * gamma * b;
  const bMinus1 = b - 1.0;
  let state = load<u32>(rng);
  for (let i = begin; i < end; i++) {
    const at8 = <usize>i << 3;
    if (load<f64>(nextSample + at8) > epoch) continue;
    const j = embedding + (<usize>load<i32>(head + (<usize>i << 2)) << 3);
    const k = embedding + (<usize>load<i32>(tail + (<usize>i << 2)) << 3);
    let cx = <f64>load<f32>(j);
    let cy = <f64>load<f32>(j, 4);
    let dx = cx - <f64>load<f32>(k);
    let dy = cy - <f64>load<f32>(k, 4);
    let d2 = dx * dx + dy * dy;
    if (d2 > 0.0) {
      // d^(2(b-1)) once, then d^(2b) = d^2 * d^(2(b-1))
      const powB1 = powPositive(d2, bMinus1);
      const coeff = (attract * powB1) / (a * powB1 * d2 + 1.0);
      const gx = clip(coeff * dx) * alpha;
      const gy = clip(coeff * dy) * alpha;
      cx += gx;
      cy += gy;
      store<f32>(k, <f32>(<f64>load<f32>(k) - gx));
      store<f32>(k, <f32>(<f64>load<f32>(k, 4) - gy), 4);
    }
    const p = load<f64>(period + at8);
    store<f64>(nextSample + at8, load<f64>(nextSample + at8) + p);
    const negativePeriod = p / negativeRate;
    const negatives = <i32>trunc((epoch - load<f64>(nextNegative + at8)) / negativePeriod);
    for (let s = 0; s < negatives; s++) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      // a uniform draw in [0, n) by multiply and shift (Lemire), cheaper than a modulo
      const o = embedding + (<usize>(<u32>((<u64>state * <u64>n) >> 32)) << 3);
      if (o == j) continue;
      dx = cx - <f64>load<f32>(o);
      dy = cy - <f64>load<f32>(o, 4);
      d2 = dx * dx + dy * dy;
      if (d2 <= 0.0) continue;
      const coeff = repel / ((0.001 + d2) * (a * powPositive(d2, b) + 1.0));
      cx += clip(coeff * dx) * alpha;
      cy += clip(coeff * dy) * alpha;
    }
    store<f64>(nextNegative + at8, load<f64>(nextNegative + at8) + <f64>negatives * negativePeriod);
    store<f32>(j, <f32>cx);
    store<f32>(j, <f32>cy, 4);
  }
  store<u32>(rng, state);
}
