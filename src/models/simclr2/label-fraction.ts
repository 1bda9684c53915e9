// The labelled fraction of SimCLR v2's semi-supervised protocol: each class keeps the same share of
// its training images (at least one), drawn in a seeded order, so 1 % of a balanced set is balanced
// and the same seed always picks the same images.
import { epochOrder } from '../vision/batches.ts';

/** The images of `train` kept at `fraction` of each class, sorted. */
export function labelledFraction(
  labels: ArrayLike<number>,
  train: Int32Array,
  fraction: number,
  seed: number,
): Int32Array {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`fraction ${fraction} is outside (0, 1]`);
  const byClass = new Map<number, number[]>();
  for (const i of train) {
    const c = labels[i];
    if (c < 0) continue;
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const kept: number[] = [];
  for (const [c, images] of byClass) {
    const order = epochOrder(Int32Array.from(images), seed, -1_000 - c);
    const n = Math.max(1, Math.round(fraction * images.length));
    kept.push(...order.subarray(0, n));
  }
  return Int32Array.from(kept).sort();
}
