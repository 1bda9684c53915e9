// An image dataset decoded once into one compact tensor: N x C x H x W bytes, every image brought
// to the run's size and channel count. A 60k-image 28x28 set is 47 MB as bytes (188 MB as float32),
// so the whole set stays in memory and batches are copies of rows, never decodes.
//
// Raw-u8 images already at the run's shape are copied as they are (HWC to CHW); anything else goes
// through sharp (decode, greyscale/RGB conversion, resize with `fit: fill`), and the counts of
// resized and converted images are reported with the run.
import sharp from 'sharp';
import { readRawFrame } from '../../ingest/media/decode-image.ts';
import type { StoredMedia } from '../../workspace/types.ts';
import type { Workspace } from '../../workspace/workspace.ts';

export interface ImageShape {
  channels: 1 | 3;
  height: number;
  width: number;
}

/** What a dataset says about its images without decoding them: enough to split them. */
export interface ImageLabels {
  count: number;
  /** index into `classes`, -1 for an unlabelled image */
  labels: Int32Array;
  /** class names in natural order ('2' before '10') */
  classes: string[];
  /** workspace entity id of each image (what stored embeddings refer to) */
  entityIds: Int32Array;
  /** the dataset's own split of each image (IDX files: 'train' / 'test'), null where it has none */
  sourceSplit: (string | null)[];
}

export interface ImageSet extends ImageShape, ImageLabels {
  /** [count, C, H, W] row-major, 0..255 */
  pixels: Uint8Array;
  /** images whose size differed from the run's and were resized */
  resized: number;
  /** images whose channels differed (RGB to greyscale or back) */
  converted: number;
}

export class ImageDatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageDatasetError';
  }
}

const naturalOrder = new Intl.Collator('en', { numeric: true }).compare;

/**
 * The run's shape when the user gives none: the most common size among the images, and RGB when
 * any image has colour (a greyscale image repeated over three channels loses nothing).
 */
export function commonShape(workspace: Workspace, datasetName: string): ImageShape & { sizes: number } {
  const dataset = workspace.datasets.require(datasetName);
  const sizes = new Map<string, number>();
  let colour = false;
  for (const media of workspace.media.each(dataset.id)) {
    const key = `${media.height}x${media.width}`;
    sizes.set(key, (sizes.get(key) ?? 0) + 1);
    if (media.channels >= 3) colour = true;
  }
  if (sizes.size === 0) throw new ImageDatasetError(`dataset ${datasetName} has no images`);
  const [top] = [...sizes.entries()].sort((a, b) => b[1] - a[1]);
  const [height, width] = top[0].split('x').map(Number);
  return { channels: colour ? 3 : 1, height, width, sizes: sizes.size };
}

/** Reads every image of an images dataset at `shape`. */
export async function loadImageSet(
  workspace: Workspace,
  datasetName: string,
  shape: ImageShape,
  onProgress?: (done: number, total: number) => void,
): Promise<ImageSet> {
  const dataset = workspace.datasets.require(datasetName);
  if (dataset.kind !== 'images') {
    throw new ImageDatasetError(`dataset ${datasetName} holds ${dataset.kind}, not images`);
  }
  const total = dataset.stats.media?.count ?? 0;
  if (total === 0) throw new ImageDatasetError(`dataset ${datasetName} has no images`);
  const { channels, height, width } = shape;
  const plane = height * width;
  const volume = channels * plane;
  const pixels = new Uint8Array(total * volume);
  const entityIds = new Int32Array(total);
  const names: (string | null)[] = new Array(total);
  const splitOf = splitsByKey(workspace, dataset.id);
  const sourceSplit: (string | null)[] = new Array(total);
  let count = 0;
  let resized = 0;
  let converted = 0;
  for (const media of workspace.media.each(dataset.id)) {
    if (count === total) throw new ImageDatasetError(`dataset ${datasetName} changed while it was read`);
    const out = pixels.subarray(count * volume, (count + 1) * volume);
    if (media.height !== height || media.width !== width) resized++;
    if ((media.channels >= 3 ? 3 : 1) !== channels) converted++;
    await decodeInto(media, shape, out);
    entityIds[count] = media.entityId;
    names[count] = media.classLabel ?? null;
    sourceSplit[count] = splitOf.get(media.key) ?? null;
    count++;
    if (onProgress && count % 4096 === 0) onProgress(count, total);
  }
  if (count !== total) throw new ImageDatasetError(`dataset ${datasetName} changed while it was read`);
  return {
    count,
    channels,
    height,
    width,
    pixels,
    ...classIndex(names),
    entityIds,
    sourceSplit,
    resized,
    converted,
  };
}

/** Class names in natural order and each image's (or clip's) index among them. */
export function classIndex(names: (string | null)[]): { classes: string[]; labels: Int32Array } {
  const classes = [...new Set(names.filter((n): n is string => n !== null))].sort(naturalOrder);
  const index = new Map(classes.map((name, i) => [name, i]));
  return { classes, labels: Int32Array.from(names, (name) => (name === null ? -1 : index.get(name)!)) };
}

/**
 * The labels, entity ids and source splits of a dataset's images in the order `loadImageSet` reads
 * them, without decoding a pixel: what recomputing a run's split for its stored embeddings needs.
 */
export function readImageLabels(workspace: Workspace, datasetName: string): ImageLabels {
  const dataset = workspace.datasets.require(datasetName);
  if (dataset.kind !== 'images') {
    throw new ImageDatasetError(`dataset ${datasetName} holds ${dataset.kind}, not images`);
  }
  const splitOf = splitsByKey(workspace, dataset.id);
  const names: (string | null)[] = [];
  const entityIds: number[] = [];
  const sourceSplit: (string | null)[] = [];
  for (const media of workspace.media.each(dataset.id)) {
    names.push(media.classLabel ?? null);
    entityIds.push(media.entityId);
    sourceSplit.push(splitOf.get(media.key) ?? null);
  }
  if (names.length === 0) throw new ImageDatasetError(`dataset ${datasetName} has no images`);
  return { count: names.length, ...classIndex(names), entityIds: Int32Array.from(entityIds), sourceSplit };
}

/** The `split` attribute of the dataset's image (or clip) entities, by key (IDX imports set it). */
export function splitsByKey(workspace: Workspace, datasetId: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const node of workspace.entities.nodes(datasetId)) {
    const split = node.attributes?.split;
    if (typeof split === 'string') out.set(node.key, split);
  }
  return out;
}

/** Writes one image as C x H x W bytes into `out`. */
export async function decodeInto(media: StoredMedia, shape: ImageShape, out: Uint8Array): Promise<void> {
  const { channels, height, width } = shape;
  const plane = height * width;
  if (media.encoding === 'raw-u8' && media.frames !== 1) {
    throw new ImageDatasetError(`${media.key}: a ${media.frames}-frame clip is not an image`);
  }
  const sameShape =
    media.encoding === 'raw-u8' &&
    media.height === height &&
    media.width === width &&
    media.channels === channels;
  let hwc: Uint8Array;
  if (sameShape) hwc = media.bytes;
  else {
    const input =
      media.encoding === 'raw-u8'
        ? await sharp(media.bytes, {
            raw: { width: media.width, height: media.height, channels: media.channels as 1 | 2 | 3 | 4 },
          })
            .png()
            .toBuffer()
        : media.bytes;
    hwc = (await readRawFrame(media.key, input, { channels, height, width })).pixels;
  }
  if (channels === 1) {
    out.set(hwc.subarray(0, plane));
    return;
  }
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) out[c * plane + p] = hwc[p * channels + c];
  }
}

/** Per-channel mean and standard deviation of pixel / 255 over the chosen images. */
export function channelStats(
  set: Pick<ImageSet, 'channels' | 'height' | 'width' | 'pixels'>,
  images: ArrayLike<number>,
): { mean: number[]; std: number[] } {
  const plane = set.height * set.width;
  const volume = set.channels * plane;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < set.channels; c++) {
    let sum = 0;
    let squares = 0;
    for (let k = 0; k < images.length; k++) {
      const row = set.pixels.subarray(images[k] * volume + c * plane, images[k] * volume + (c + 1) * plane);
      for (let p = 0; p < plane; p++) {
        const v = row[p] / 255;
        sum += v;
        squares += v * v;
      }
    }
    const n = Math.max(1, images.length * plane);
    const m = sum / n;
    mean.push(m);
    // a constant channel (blank test images) would divide by zero
    std.push(Math.max(Math.sqrt(Math.max(squares / n - m * m, 0)), 1e-3));
  }
  return { mean, std };
}
