// Two runs of one dataset side by side: the other run's projection laid out in this projection's
// row order, so one selection, one filter and one colouring (all rows of this projection) serve both
// plots, and a selection drawn in either is the same entities in both.
import type { Points } from './Scatter.tsx';

export interface AlignedPoints {
  /** this projection's entities (keys, labels, classes, degrees) where the other run placed them */
  points: Points;
  /** 1 for the entities the other run has no vector for: kept at the origin, never drawn or selected */
  absent: Uint8Array;
}

export function alignedPoints(
  mine: Points,
  mineIds: readonly number[],
  theirs: Points,
  theirIds: readonly number[],
): AlignedPoints {
  const at = new Map(theirIds.map((id, k) => [id, k]));
  const absent = new Uint8Array(mineIds.length);
  const x = new Array<number>(mineIds.length);
  const y = new Array<number>(mineIds.length);
  mineIds.forEach((id, row) => {
    const k = at.get(id);
    if (k === undefined) {
      absent[row] = 1;
      x[row] = 0;
      y[row] = 0;
    } else {
      x[row] = theirs.x[k];
      y[row] = theirs.y[k];
    }
  });
  return { points: { ...mine, x, y }, absent };
}
