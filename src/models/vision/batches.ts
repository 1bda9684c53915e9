// Batches of an image set as bytes: a compiled step has one batch shape, so the last batch of an
// epoch (or a set smaller than a batch) is filled up with blank rows labelled -1, which the loss
// and the accuracy ignore. Pixels stay uint8 until the graph normalises them: a batch crosses to
// the trainer thread at a quarter of its float32 size.
//
// The order of an epoch and each image's augmentation are drawn from generators seeded by
// (seed, epoch) and (seed, epoch, position), so a batch is the same whatever came before it and a
// resumed run continues exactly from its cursor.
import { Random } from '../../demo/random.ts';
import { mix } from '../../eval/ranking.ts';
import type { ImageSet } from './image-set.ts';

/** The label of a filler row: no class, ignored by the loss and the metrics. */
export const noLabel = -1;

/** Light augmentation of supervised training. */
export interface TrainAugmentation {
  /** mirror left-right with probability 1/2 */
  flip: boolean;
  /** shift by up to this many pixels each way, the uncovered border black (pad-and-crop) */
  shift: number;
}

/** The training images in the seeded order of one epoch. */
export function epochOrder(train: Int32Array, seed: number, epoch: number): Int32Array {
  const order = train.slice();
  const random = new Random(mix(seed, 7_000_003 + epoch));
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

export interface ImageBatch extends Record<string, Uint8Array | BigInt64Array> {
  /** uint8 [B, C, H, W] */
  images: Uint8Array;
  /** int64 [B], -1 on filler rows */
  labels: BigInt64Array;
}

/**
 * Copies images `chosen` into a batch of `rows` rows (the rest blank, label -1). Rows are whatever
 * one example of the set is: an image [C, H, W], or a clip [T, C, H, W].
 */
export function imageBatch(
  set: Pick<ImageSet, 'count' | 'pixels' | 'labels'>,
  chosen: ArrayLike<number>,
  rows: number,
): ImageBatch {
  const volume = set.pixels.length / set.count;
  const images = new Uint8Array(rows * volume);
  const labels = new BigInt64Array(rows).fill(BigInt(noLabel));
  for (let r = 0; r < chosen.length; r++) {
    const i = chosen[r];
    images.set(set.pixels.subarray(i * volume, (i + 1) * volume), r * volume);
    labels[r] = BigInt(set.labels[i]);
  }
  return { images, labels };
}

/** Mirrors and/or shifts one C x H x W image in place. */
function augmentInPlace(
  image: Uint8Array,
  set: ImageSet,
  augmentation: TrainAugmentation,
  random: Random,
  scratch: Uint8Array,
): void {
  const { height: H, width: W, channels: C } = set;
  const flip = augmentation.flip && random.next() < 0.5;
  const s = augmentation.shift;
  const dx = s > 0 ? random.int(2 * s + 1) - s : 0;
  const dy = s > 0 ? random.int(2 * s + 1) - s : 0;
  if (!flip && dx === 0 && dy === 0) return;
  scratch.set(image);
  for (let c = 0; c < C; c++) {
    const plane = c * H * W;
    for (let y = 0; y < H; y++) {
      const sy = y + dy;
      for (let x = 0; x < W; x++) {
        const fx = flip ? W - 1 - x : x;
        const sx = fx + dx;
        image[plane + y * W + x] = sy >= 0 && sy < H && sx >= 0 && sx < W ? scratch[plane + sy * W + sx] : 0;
      }
    }
  }
}

/**
 * The batches of an epoch from position `from` of its order on, one at a time (a generator, so the
 * caller builds the next batch while the trainer steps). Each yields the batch, the dropout seed of
 * the step, the position after it (what a checkpoint's cursor stores) and its real image count.
 */
export function* trainingBatches(
  set: ImageSet,
  order: Int32Array,
  rows: number,
  augmentation: TrainAugmentation,
  seed: number,
  epoch: number,
  from = 0,
): Generator<{ batch: ImageBatch & { seed: BigInt64Array }; next: number; images: number }> {
  const volume = set.channels * set.height * set.width;
  const scratch = new Uint8Array(volume);
  for (let at = from; at < order.length; at += rows) {
    const chosen = order.subarray(at, Math.min(at + rows, order.length));
    const batch = imageBatch(set, chosen, rows);
    for (let r = 0; r < chosen.length; r++) {
      const random = new Random(mix(seed, mix(epoch, at + r)));
      augmentInPlace(batch.images.subarray(r * volume, (r + 1) * volume), set, augmentation, random, scratch);
    }
    yield {
      batch: { ...batch, seed: BigInt64Array.of(BigInt(mix(seed ^ 0x68e31da4, mix(epoch, at)))) },
      next: at + chosen.length,
      images: chosen.length,
    };
  }
}
