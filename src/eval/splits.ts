// Stratified random train/test splits: every class keeps the train fraction, as
// scikit-learn's train_test_split(stratify=y) does, so rare classes are never left out of training.
import { seededRandom, shuffle } from './random.ts';

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/**
 * Row indices for training and testing. Each class puts round(fraction * size) of its rows in
 * training, at least one and at most size - 1 when it has two or more.
 */
export function stratifiedSplit(labels: Int32Array, fraction: number, seed: number): Split {
  if (!(fraction > 0 && fraction < 1))
    throw new RangeError(`train fraction must be in (0, 1), got ${fraction}`);
  const random = seededRandom(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const rows = byClass.get(label);
    if (rows) rows.push(i);
    else byClass.set(label, [i]);
  });
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = shuffle(Int32Array.from(byClass.get(label)!), random);
    const size = rows.length;
    const take = size < 2 ? size : Math.min(size - 1, Math.max(1, Math.round(fraction * size)));
    for (let k = 0; k < size; k++) (k < take ? train : test).push(rows[k]);
  }
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}
