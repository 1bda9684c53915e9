// Pairs for the contrastive pair loss, drawn from the labelled training images: every image of the
// epoch's seeded order is a first member once, and the positions alternate similar (Y = 0: another
// image of its class) and dissimilar (Y = 1: an image of another class, the class drawn uniformly
// among the others), so every step is balanced. The partner at a position comes from a generator
// seeded by (seed, epoch, position): a pair is the same whatever came before it, and a resumed run
// draws exactly the pairs it would have.
import { Random } from '../../demo/random.ts';
import { mix } from '../../eval/ranking.ts';
import type { StepBatch } from '../training-loop.ts';
import { epochOrder, imageBatch } from '../vision/batches.ts';
import type { ImageSet } from '../vision/image-set.ts';

export interface Pair {
  first: number;
  second: number;
  /** the paper's Y: 0 similar, 1 dissimilar */
  dissimilar: 0 | 1;
}

/** Pairs in an epoch: whole steps, wrapping around the order so no step has filler rows. */
export const pairsPerEpoch = (train: number, rows: number) => Math.ceil(train / rows) * rows;

export class PairSampler {
  private readonly byClass: number[][];
  /** classes with training images */
  private readonly present: number[];

  constructor(
    private readonly set: ImageSet,
    private readonly train: Int32Array,
    private readonly seed: number,
  ) {
    this.byClass = set.classes.map(() => []);
    for (const image of train) this.byClass[set.labels[image]].push(image);
    this.present = this.byClass.flatMap((group, c) => (group.length > 0 ? [c] : []));
    if (this.present.length < 2) {
      throw new RangeError(
        `contrastive pairs need training images of at least 2 classes, found ${this.present.length}`,
      );
    }
  }

  /** The pair at `position` of `epoch`'s order. */
  pair(order: Int32Array, epoch: number, position: number): Pair {
    const first = order[position % order.length];
    const label = this.set.labels[first];
    const random = new Random(mix(this.seed, mix(epoch, position)));
    if (position % 2 === 0) {
      const group = this.byClass[label];
      // another image of the class; a class's only image pairs with itself (distance 0, no gradient)
      if (group.length === 1) return { first, second: first, dissimilar: 0 };
      const pick = random.int(group.length - 1);
      const second = group[pick] === first ? group[group.length - 1] : group[pick];
      return { first, second, dissimilar: 0 };
    }
    const others = this.present.filter((c) => c !== label);
    const group = this.byClass[others[random.int(others.length)]];
    return { first, second: group[random.int(group.length)], dissimilar: 1 };
  }

  /** The steps of `epoch` from pair `from` on: both members' images and Y, `rows` pairs a step. */
  *batches(epoch: number, rows: number, from: number): Generator<StepBatch> {
    const order = epochOrder(this.train, this.seed, epoch);
    const total = pairsPerEpoch(this.train.length, rows);
    for (let at = from; at < total; at += rows) {
      const pairs = Array.from({ length: rows }, (_, r) => this.pair(order, epoch, at + r));
      yield {
        batch: {
          first: imageBatch(
            this.set,
            pairs.map((p) => p.first),
            rows,
          ).images,
          second: imageBatch(
            this.set,
            pairs.map((p) => p.second),
            rows,
          ).images,
          dissimilar: BigInt64Array.from(pairs, (p) => BigInt(p.dissimilar)),
        },
        next: at + rows,
        examples: rows,
      };
    }
  }
}
