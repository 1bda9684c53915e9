// Augmented pairs for the UI: a few images of a dataset with the two views SimCLR would train on,
// as PNG data URLs, so a user sees what an augmentation setting does before training with it.
import sharp from 'sharp';
import { Random } from '../../demo/random.ts';
import { mix } from '../../eval/ranking.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { type Augmentation, augmentView } from './augment.ts';
import { commonShape, decodeInto, ImageDatasetError, type ImageShape } from './image-set.ts';

export interface AugmentedPair {
  entity: number;
  key: string;
  label: string | null;
  /** data:image/png;base64 URLs of the image at the run's shape and of its two views */
  original: string;
  views: [string, string];
}

async function pngUrl(chw: Uint8Array, { channels, height, width }: ImageShape): Promise<string> {
  const plane = height * width;
  const hwc = new Uint8Array(chw.length);
  for (let p = 0; p < plane; p++)
    for (let c = 0; c < channels; c++) hwc[p * channels + c] = chw[c * plane + p];
  const image = sharp(hwc, { raw: { width, height, channels } });
  const png = await (channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The first `count` images of the dataset (import order) with two views each, drawn from `seed`. */
export async function previewAugmentedPairs(
  workspace: Workspace,
  request: { dataset: string; count: number; seed: number; augmentation: Augmentation },
): Promise<{ shape: ImageShape; pairs: AugmentedPair[] }> {
  const dataset = workspace.datasets.require(request.dataset);
  if (dataset.kind !== 'images') {
    throw new ImageDatasetError(`dataset ${request.dataset} holds ${dataset.kind}, not images`);
  }
  // the stats name a size only when every image has it; otherwise the most common one is looked up
  const media = dataset.stats.media;
  const shape: ImageShape =
    media?.width && media.height && media.channels
      ? { channels: media.channels >= 3 ? 3 : 1, height: media.height, width: media.width }
      : commonShape(workspace, request.dataset);
  const volume = shape.channels * shape.height * shape.width;
  const pairs: AugmentedPair[] = [];
  const rows = workspace.media.page(dataset.id, 0).rows.slice(0, request.count);
  for (const row of rows) {
    const image = new Uint8Array(volume);
    await decodeInto(row, shape, image);
    const views: string[] = [];
    for (let v = 0; v < 2; v++) {
      const out = new Uint8Array(volume);
      augmentView(
        image,
        shape,
        request.augmentation,
        new Random(mix(request.seed, mix(row.entityId, v))),
        out,
      );
      views.push(await pngUrl(out, shape));
    }
    pairs.push({
      entity: row.entityId,
      key: row.key,
      label: row.classLabel ?? null,
      original: await pngUrl(image, shape),
      views: [views[0], views[1]],
    });
  }
  return { shape, pairs };
}
