// Train / validation / test parts of a labelled image set. A dataset that brings its own test
// split (Fashion-MNIST's t10k files) keeps it; otherwise a seeded stratified split holds out a
// fraction of every class. Validation (early stopping, the best checkpoint) is always a stratified
// part of the training images, so the test images are never looked at before the end.
import { Random } from '../../demo/random.ts';
import type { ImageLabels } from './image-set.ts';

export interface ImageSplit {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

export interface SplitStats {
  train: number;
  validation: number;
  test: number;
  /** 'dataset': the images' own test split; 'stratified': drawn from the seed */
  test_from: 'dataset' | 'stratified';
  /** images without a class label, left out of supervised training and evaluation */
  unlabelled: number;
  classes: number;
}

/** Images of each class, in set order. */
function byClass(set: ImageLabels, images: Iterable<number>): number[][] {
  const groups: number[][] = set.classes.map(() => []);
  for (const i of images) if (set.labels[i] >= 0) groups[set.labels[i]].push(i);
  return groups;
}

/**
 * Takes round(fraction x n) of each class's images at random (never a class's last image, so every
 * class keeps one to train on) and returns [taken, rest], each in set order.
 */
function stratified(groups: number[][], fraction: number, random: Random): [number[], number[]] {
  const taken: number[] = [];
  const rest: number[] = [];
  for (const group of groups) {
    const order = group.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const k = Math.min(Math.round(fraction * order.length), order.length - 1);
    taken.push(...order.slice(0, Math.max(k, 0)));
    rest.push(...order.slice(Math.max(k, 0)));
  }
  return [taken.sort((a, b) => a - b), rest.sort((a, b) => a - b)];
}

export function splitImages(
  set: ImageLabels,
  {
    testFraction,
    validationFraction,
    seed,
  }: { testFraction: number; validationFraction: number; seed: number },
): { split: ImageSplit; stats: SplitStats } {
  const random = new Random(seed ^ 0x2545f491);
  const labelled: number[] = [];
  for (let i = 0; i < set.count; i++) if (set.labels[i] >= 0) labelled.push(i);
  const hasOwnTest = labelled.some((i) => set.sourceSplit[i] === 'test');
  let test: number[];
  let pool: number[];
  if (hasOwnTest) {
    test = labelled.filter((i) => set.sourceSplit[i] === 'test');
    pool = labelled.filter((i) => set.sourceSplit[i] !== 'test');
  } else {
    [test, pool] = stratified(byClass(set, labelled), testFraction, random);
  }
  const [validation, train] = stratified(byClass(set, pool), validationFraction, random);
  return {
    split: {
      train: Int32Array.from(train),
      validation: Int32Array.from(validation),
      test: Int32Array.from(test),
    },
    stats: {
      train: train.length,
      validation: validation.length,
      test: test.length,
      test_from: hasOwnTest ? 'dataset' : 'stratified',
      unlabelled: set.count - labelled.length,
      classes: set.classes.length,
    },
  };
}
