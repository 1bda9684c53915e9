// A labelled video dataset whose label only motion reveals (issue: "a model without temporal
// modelling cannot beat chance"). The canvas is cut into horizontal lanes; in each lane one object
// (an image of an image dataset in the workspace, or a drawn digit) slides left or right at a
// steady speed, and the class names each lane's direction ('left-right': the top object moves
// left, the bottom one right). Both ends of a slide are drawn first and the direction then picks
// which is the start, so every frame, and any statistic blind to frame order (the mean frame, a
// histogram of positions), has the same distribution in every class. Deterministic from the seed.
import { addNoise, drawDigit, randomPose } from '../../demo/digit-glyphs.ts';
import { Random } from '../../demo/random.ts';
import { InputError } from '../../ingest/types.ts';
import type { Dataset } from '../../workspace/types.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { loadImageSet } from '../vision/image-set.ts';

export interface MotionSpec {
  /** clips to write (spread evenly over the classes) */
  clips: number;
  /** frames per clip */
  frames: number;
  /** side of the square greyscale canvas */
  size: number;
  /** 1: classes left, right; 2: the four pairs of the two lanes' directions */
  lanes: 1 | 2;
  seed: number;
}

export const defaultMotionSpec: MotionSpec = { clips: 3000, frames: 8, size: 32, lanes: 2, seed: 1 };

/** Greyscale object images of side `side`: drawn from a dataset's images, or drawn digits. */
export interface ObjectSource {
  side: number;
  count: number;
  /** writes object `i` (side x side bytes) */
  pixels(i: number): Uint8Array;
}

/** Digits drawn with the demo's glyphs, one per seed-derived pose: the fallback without an image dataset. */
export function drawnObjects(side: number, count: number, seed: number): ObjectSource {
  const random = new Random(seed ^ 0x5bd1e995);
  const images = Array.from({ length: count }, (_, i) => {
    const canvas = new Uint8Array(side * side);
    drawDigit(canvas, side, side, i % 10, randomPose(random, side), side);
    return canvas;
  });
  return { side, count, pixels: (i) => images[i] };
}

/** The images of a workspace dataset as objects, greyscale at `side` x `side`. */
export async function datasetObjects(
  workspace: Workspace,
  dataset: string,
  side: number,
): Promise<ObjectSource> {
  const set = await loadImageSet(workspace, dataset, { channels: 1, height: side, width: side });
  const area = side * side;
  return { side, count: set.count, pixels: (i) => set.pixels.subarray(i * area, (i + 1) * area) };
}

export const directionNames = ['left', 'right'] as const;

/** The class names of a spec, in label order. */
export function motionClasses(lanes: 1 | 2): string[] {
  return lanes === 1
    ? [...directionNames]
    : directionNames.flatMap((top) => directionNames.map((bottom) => `${top}-${bottom}`));
}

export interface MotionClip {
  /** [frames, size, size] bytes */
  pixels: Uint8Array;
  label: number;
}

/** Clip `index` of a spec: its class is index mod the class count, everything else from (seed, index). */
export function motionClip(spec: MotionSpec, objects: ObjectSource, index: number): MotionClip {
  const { frames, size, lanes } = spec;
  const classes = 2 ** lanes;
  const label = index % classes;
  const random = new Random((spec.seed * 0x9e3779b1) ^ (index + 1));
  const laneHeight = Math.floor(size / lanes);
  const side = objects.side;
  if (side > laneHeight) throw new Error(`objects of side ${side} do not fit lanes of ${laneHeight} pixels`);
  const pixels = new Uint8Array(frames * size * size);
  const travel = size - side;
  for (let lane = 0; lane < lanes; lane++) {
    // lane 0 is the top one and the most significant bit of the label
    const rightward = ((label >> (lanes - 1 - lane)) & 1) === 1;
    const object = objects.pixels(random.int(objects.count));
    const top = lane * laneHeight + random.int(laneHeight - side + 1);
    // two ends at least a third of the canvas apart, in random order; the direction picks the start
    let a = random.int(travel + 1);
    let b = random.int(travel + 1);
    while (Math.abs(a - b) < travel / 3) {
      a = random.int(travel + 1);
      b = random.int(travel + 1);
    }
    const [from, to] = a < b === rightward ? [a, b] : [b, a];
    for (let f = 0; f < frames; f++) {
      const left = Math.round(from + ((to - from) * f) / Math.max(1, frames - 1));
      const frame = pixels.subarray(f * size * size, (f + 1) * size * size);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const at = (top + y) * size + left + x;
          frame[at] = Math.max(frame[at], object[y * side + x]);
        }
      }
    }
  }
  for (let f = 0; f < frames; f++)
    addNoise(pixels.subarray(f * size * size, (f + 1) * size * size), random, 6);
  return { pixels, label };
}

/**
 * Writes a motion dataset into the workspace as clips (raw frames, greyscale), in one import:
 * nothing is left when it fails. `from` names an image dataset whose images become the objects;
 * without it the objects are drawn digits.
 */
export async function generateMotionDataset(
  workspace: Workspace,
  { name, from, ...spec }: MotionSpec & { name: string; from?: string },
  onProgress?: (done: number, total: number) => void,
): Promise<Dataset> {
  const side = Math.floor(spec.size / spec.lanes / 4) * 3 || 1;
  if (spec.size < 8 || spec.frames < 2 || spec.clips < 2 ** spec.lanes) {
    throw new InputError(
      'generate motion',
      null,
      null,
      `needs a canvas of at least 8 pixels, 2 frames and a clip per class (${2 ** spec.lanes}); got size ${spec.size}, ${spec.frames} frames, ${spec.clips} clips`,
    );
  }
  const objects = from ? await datasetObjects(workspace, from, side) : drawnObjects(side, 200, spec.seed);
  const classes = motionClasses(spec.lanes);
  const session = workspace.beginImport({
    name,
    kind: 'videos',
    source: {
      format: 'motion',
      paths: [],
      options: { ...spec, from: from ?? null, objects: side },
      generated: { by: 'generate motion', seed: spec.seed },
    },
  });
  try {
    const digits = String(spec.clips).length;
    for (let start = 0; start < spec.clips; start += 256) {
      const entities = [];
      const media = [];
      for (let i = start; i < Math.min(start + 256, spec.clips); i++) {
        const clip = motionClip(spec, objects, i);
        const key = `clip-${String(i + 1).padStart(digits, '0')}`;
        entities.push({ key, classLabel: classes[clip.label] });
        media.push({
          key,
          bytes: clip.pixels,
          encoding: 'raw-u8' as const,
          width: spec.size,
          height: spec.size,
          channels: 1,
          frames: spec.frames,
        });
      }
      session.addEntities('clip', entities);
      session.addMedia('clip', media);
      onProgress?.(Math.min(start + 256, spec.clips), spec.clips);
    }
    return session.commit();
  } catch (error) {
    session.rollback();
    throw error;
  }
}
