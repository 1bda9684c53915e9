// A video dataset decoded once into one compact tensor: N x T x C x H x W bytes, each clip sampled
// to T frames and each frame brought to the run's size and channel count. 3000 clips of 8 x 32 x 32
// greyscale frames are 25 MB, so the set stays in memory and batches are copies of rows.
//
// Frames are sampled uniformly over the clip (frame i of T is the source frame at the middle of the
// i-th of T equal spans); a clip with fewer frames than T is looped from its start or padded with
// black frames, as the run says, and the count of such clips is reported with the run. Labels,
// entity ids and source splits have the shape of an image set's, so the image pipeline's splits
// (../vision/splits.ts) and batches apply unchanged.
import type { StoredMedia } from '../../workspace/types.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import {
  channelStats,
  classIndex,
  decodeInto,
  ImageDatasetError,
  type ImageLabels,
  type ImageShape,
  splitsByKey,
} from '../vision/image-set.ts';

export interface ClipShape extends ImageShape {
  /** T, frames per clip */
  frames: number;
}

export type ShortClips = 'loop' | 'pad';

export interface ClipSet extends ClipShape, ImageLabels {
  /** [count, T, C, H, W] row-major, 0..255 */
  pixels: Uint8Array;
  /** clips with fewer frames than T, looped or padded as `short` says */
  short: number;
  shortClips: ShortClips;
  /** clips whose frame size differed from the run's and were resized */
  resized: number;
  /** clips whose channels differed (RGB to greyscale or back) */
  converted: number;
  /** the key of each clip (what a user recognises in reports) */
  keys: string[];
}

/**
 * Which source frame each of the T sampled frames is: the middle of each of T equal spans of the
 * clip, or for a clip shorter than T its frames in order, then again from the first (loop) or -1,
 * a black frame (pad).
 */
export function sampleFrames(available: number, frames: number, short: ShortClips): Int32Array {
  const out = new Int32Array(frames);
  for (let i = 0; i < frames; i++) {
    if (available >= frames) out[i] = Math.floor(((i + 0.5) * available) / frames);
    else out[i] = i < available ? i : short === 'loop' ? i % available : -1;
  }
  return out;
}

/** The run's frame shape when the user gives none: the most common frame size, RGB when any clip has colour. */
export function commonClipShape(workspace: Workspace, datasetName: string): ImageShape {
  const dataset = requireVideos(workspace, datasetName);
  const sizes = new Map<string, number>();
  let colour = false;
  for (const media of workspace.media.each(dataset.id)) {
    const key = `${media.height}x${media.width}`;
    sizes.set(key, (sizes.get(key) ?? 0) + 1);
    if (media.channels >= 3) colour = true;
  }
  if (sizes.size === 0) throw new ImageDatasetError(`dataset ${datasetName} has no clips`);
  const [top] = [...sizes.entries()].sort((a, b) => b[1] - a[1]);
  const [height, width] = top[0].split('x').map(Number);
  return { channels: colour ? 3 : 1, height, width };
}

function requireVideos(workspace: Workspace, datasetName: string) {
  const dataset = workspace.datasets.require(datasetName);
  if (dataset.kind !== 'videos') {
    throw new ImageDatasetError(`dataset ${datasetName} holds ${dataset.kind}, not videos`);
  }
  return dataset;
}

/** Reads every clip of a videos dataset at `shape`. */
export async function loadClipSet(
  workspace: Workspace,
  datasetName: string,
  shape: ClipShape,
  short: ShortClips,
  onProgress?: (done: number, total: number) => void,
): Promise<ClipSet> {
  const dataset = requireVideos(workspace, datasetName);
  const total = dataset.stats.media?.count ?? 0;
  if (total === 0) throw new ImageDatasetError(`dataset ${datasetName} has no clips`);
  const { frames, channels, height, width } = shape;
  const frameVolume = channels * height * width;
  const volume = frames * frameVolume;
  const pixels = new Uint8Array(total * volume);
  const entityIds = new Int32Array(total);
  const names: (string | null)[] = new Array(total);
  const keys: string[] = new Array(total);
  const splitOf = splitsByKey(workspace, dataset.id);
  const sourceSplit: (string | null)[] = new Array(total);
  let count = 0;
  let shortCount = 0;
  let resized = 0;
  let converted = 0;
  for (const media of workspace.media.each(dataset.id)) {
    if (count === total) throw new ImageDatasetError(`dataset ${datasetName} changed while it was read`);
    if (media.encoding !== 'raw-u8') {
      throw new ImageDatasetError(
        `dataset ${datasetName}, clip ${media.key}: stored as ${media.encoding}, not as decoded frames (raw-u8)`,
      );
    }
    if (media.frames < frames) shortCount++;
    if (media.height !== height || media.width !== width) resized++;
    if ((media.channels >= 3 ? 3 : 1) !== channels) converted++;
    const chosen = sampleFrames(media.frames, frames, short);
    const clip = pixels.subarray(count * volume, (count + 1) * volume);
    for (let i = 0; i < frames; i++) {
      // a padding frame stays black (the tensor starts zeroed)
      if (chosen[i] >= 0) {
        await decodeInto(
          frameOf(media, chosen[i]),
          shape,
          clip.subarray(i * frameVolume, (i + 1) * frameVolume),
        );
      }
    }
    entityIds[count] = media.entityId;
    names[count] = media.classLabel ?? null;
    keys[count] = media.key;
    sourceSplit[count] = splitOf.get(media.key) ?? null;
    count++;
    if (onProgress && count % 256 === 0) onProgress(count, total);
  }
  if (count !== total) throw new ImageDatasetError(`dataset ${datasetName} changed while it was read`);
  return {
    count,
    frames,
    channels,
    height,
    width,
    pixels,
    ...classIndex(names),
    entityIds,
    sourceSplit,
    keys,
    short: shortCount,
    shortClips: short,
    resized,
    converted,
  };
}

/** Frame `f` of a raw clip [frames, h, w, c] as a one-frame image. */
function frameOf(media: StoredMedia, f: number): StoredMedia {
  const size = media.height * media.width * media.channels;
  return { ...media, frames: 1, bytes: media.bytes.subarray(f * size, (f + 1) * size) };
}

/** Per-channel mean and standard deviation of pixel / 255 over every frame of the chosen clips. */
export function clipChannelStats(set: ClipSet, clips: ArrayLike<number>): { mean: number[]; std: number[] } {
  const frames = Int32Array.from(
    { length: clips.length * set.frames },
    (_, k) => clips[Math.floor(k / set.frames)] * set.frames + (k % set.frames),
  );
  return channelStats(set, frames);
}
