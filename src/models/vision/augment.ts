// SimCLR's data augmentation (Chen et al. 2020, appendix A): each image becomes two independent
// views, each drawn as random resized crop -> horizontal flip -> colour jitter (brightness,
// contrast, saturation, hue, in random order, applied with a probability) -> random greyscale ->
// Gaussian blur, every step with its probability and strength as parameters. Greyscale images take
// the steps that apply to them (crop, flip, brightness, contrast, blur).
//
// Views are computed on C x H x W bytes in float and rounded back to bytes, as torchvision's PIL
// pipeline does, so a view batch crosses threads like any other image batch. Every draw comes from
// a generator seeded by (seed, epoch, image, view), so views do not depend on batch composition.
import { z } from 'zod';
import { Random } from '../../demo/random.ts';
import { mix } from '../../eval/ranking.ts';
import type { ImageSet, ImageShape } from './image-set.ts';

const probability = z.number().min(0).max(1);
const range = (min: number, max: number) =>
  z
    .tuple([z.number().min(min).max(max), z.number().min(min).max(max)])
    .refine(([a, b]) => a <= b, 'the range must be [low, high] with low <= high');

export const Augmentation = z.object({
  /** random resized crop: area fraction and aspect ratio (w / h) ranges, then resized back */
  crop: z.object({ scale: range(0.01, 1), ratio: range(0.1, 10) }),
  /** probability of a left-right mirror */
  flip: probability,
  /** colour jitter: applied with `probability`; factors drawn from [max(0, 1 - s), 1 + s], hue shift from [-hue, hue] turns */
  jitter: z.object({
    probability,
    brightness: z.number().min(0).max(10),
    contrast: z.number().min(0).max(10),
    saturation: z.number().min(0).max(10),
    hue: z.number().min(0).max(0.5),
  }),
  /** probability of converting a colour view to grey (kept as three channels) */
  greyscale: probability,
  /** Gaussian blur with sigma from `sigma`, kernel about `kernel` x the image side (odd) */
  blur: z.object({ probability, sigma: range(0.01, 100), kernel: z.number().min(0).max(1) }),
});
export type Augmentation = z.infer<typeof Augmentation>;

/**
 * The paper's augmentation at colour strength s (1 on ImageNet; 0.5 on CIFAR-10): jitter 0.8 s
 * for brightness, contrast and saturation and 0.2 s for hue with probability 0.8, greyscale 0.2,
 * blur with probability 0.5, sigma in [0.1, 2.0] and a kernel 10% of the side.
 */
export function simclrAugmentation(strength = 1): Augmentation {
  return {
    crop: { scale: [0.08, 1], ratio: [3 / 4, 4 / 3] },
    flip: 0.5,
    jitter: {
      probability: 0.8,
      brightness: 0.8 * strength,
      contrast: 0.8 * strength,
      saturation: 0.8 * strength,
      hue: 0.2 * strength,
    },
    greyscale: 0.2,
    blur: { probability: 0.5, sigma: [0.1, 2], kernel: 0.1 },
  };
}

const uniform = (random: Random, [low, high]: readonly [number, number]) =>
  low + (high - low) * random.next();

/** The crop box as torchvision's RandomResizedCrop draws it (10 tries, then the centre crop). */
function cropBox(
  random: Random,
  height: number,
  width: number,
  { scale, ratio }: Augmentation['crop'],
): { x: number; y: number; w: number; h: number } {
  const area = height * width;
  const logRatio: [number, number] = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * uniform(random, scale);
    const aspect = Math.exp(uniform(random, logRatio));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      return { x: random.int(width - w + 1), y: random.int(height - h + 1), w, h };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), w, h };
}

/** Bilinear resize of the box of every channel to H x W (pixel centres aligned, as PIL does). */
function resizeBox(
  source: Uint8Array,
  shape: ImageShape,
  box: { x: number; y: number; w: number; h: number },
  flip: boolean,
  out: Float32Array,
): void {
  const { channels: C, height: H, width: W } = shape;
  for (let c = 0; c < C; c++) {
    const plane = c * H * W;
    for (let oy = 0; oy < H; oy++) {
      const sy = Math.min(Math.max(box.y + ((oy + 0.5) * box.h) / H - 0.5, box.y), box.y + box.h - 1);
      const y0 = Math.floor(sy);
      const y1 = Math.min(y0 + 1, box.y + box.h - 1);
      const fy = sy - y0;
      for (let ox = 0; ox < W; ox++) {
        const sx = Math.min(Math.max(box.x + ((ox + 0.5) * box.w) / W - 0.5, box.x), box.x + box.w - 1);
        const x0 = Math.floor(sx);
        const x1 = Math.min(x0 + 1, box.x + box.w - 1);
        const fx = sx - x0;
        const top = source[plane + y0 * W + x0] * (1 - fx) + source[plane + y0 * W + x1] * fx;
        const bottom = source[plane + y1 * W + x0] * (1 - fx) + source[plane + y1 * W + x1] * fx;
        out[plane + oy * W + (flip ? W - 1 - ox : ox)] = top * (1 - fy) + bottom * fy;
      }
    }
  }
}

const clamp = (v: number) => Math.min(Math.max(v, 0), 255);

/** ITU-R 601 luma, as PIL's convert('L'). */
function grey(image: Float32Array, plane: number, p: number): number {
  return 0.299 * image[p] + 0.587 * image[plane + p] + 0.114 * image[2 * plane + p];
}

/** Colour jitter's four adjustments in a random order, each a blend as torchvision computes it. */
function jitter(
  image: Float32Array,
  shape: ImageShape,
  settings: Augmentation['jitter'],
  random: Random,
): void {
  const plane = shape.height * shape.width;
  const colour = shape.channels === 3;
  const factor = (s: number) => uniform(random, [Math.max(0, 1 - s), 1 + s]);
  const steps: (() => void)[] = [];
  if (settings.brightness > 0) {
    const b = factor(settings.brightness);
    steps.push(() => {
      for (let i = 0; i < image.length; i++) image[i] = clamp(image[i] * b);
    });
  }
  if (settings.contrast > 0) {
    const c = factor(settings.contrast);
    steps.push(() => {
      let mean = 0;
      for (let p = 0; p < plane; p++) mean += colour ? grey(image, plane, p) : image[p];
      mean /= plane;
      for (let i = 0; i < image.length; i++) image[i] = clamp(mean + (image[i] - mean) * c);
    });
  }
  if (colour && settings.saturation > 0) {
    const s = factor(settings.saturation);
    steps.push(() => {
      for (let p = 0; p < plane; p++) {
        const g = grey(image, plane, p);
        for (let c = 0; c < 3; c++) image[c * plane + p] = clamp(g + (image[c * plane + p] - g) * s);
      }
    });
  }
  if (colour && settings.hue > 0) {
    const turn = uniform(random, [-settings.hue, settings.hue]);
    steps.push(() => rotateHue(image, plane, turn));
  }
  for (let i = steps.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [steps[i], steps[j]] = [steps[j], steps[i]];
  }
  for (const step of steps) step();
}

/** Shifts the hue of every pixel by `turn` of a full circle through HSV, as torchvision does. */
function rotateHue(image: Float32Array, plane: number, turn: number): void {
  for (let p = 0; p < plane; p++) {
    const r = image[p];
    const g = image[plane + p];
    const b = image[2 * plane + p];
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const delta = max - min;
    if (delta === 0) continue;
    let h = max === r ? (g - b) / delta : max === g ? 2 + (b - r) / delta : 4 + (r - g) / delta;
    h = (((h / 6 + turn) % 1) + 1) % 1;
    const sector = h * 6;
    const k = Math.floor(sector);
    const f = sector - k;
    const v = max;
    const lo = min;
    const down = v - delta * f;
    const up = lo + delta * f;
    const [nr, ng, nb] = [
      [v, up, lo],
      [down, v, lo],
      [lo, v, up],
      [lo, down, v],
      [up, lo, v],
      [v, lo, down],
    ][k % 6];
    image[p] = nr;
    image[plane + p] = ng;
    image[2 * plane + p] = nb;
  }
}

/** Separable Gaussian blur of every channel, edges reflected. */
function blur(
  image: Float32Array,
  shape: ImageShape,
  sigma: number,
  radius: number,
  scratch: Float32Array,
): void {
  const { channels: C, height: H, width: W } = shape;
  const weights = Array.from({ length: 2 * radius + 1 }, (_, k) =>
    Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)),
  );
  const total = weights.reduce((a, b) => a + b, 0);
  for (let k = 0; k < weights.length; k++) weights[k] /= total;
  const reflect = (i: number, n: number) => {
    let j = i;
    while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
    return j;
  };
  for (let c = 0; c < C; c++) {
    const plane = c * H * W;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++)
          sum += weights[k + radius] * image[plane + y * W + reflect(x + k, W)];
        scratch[y * W + x] = sum;
      }
    }
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++)
          sum += weights[k + radius] * scratch[reflect(y + k, H) * W + x];
        image[plane + y * W + x] = sum;
      }
    }
  }
}

/** One augmented view of `source` (C x H x W bytes) written to `out`, every draw from `random`. */
export function augmentView(
  source: Uint8Array,
  shape: ImageShape,
  augmentation: Augmentation,
  random: Random,
  out: Uint8Array,
): void {
  const { channels: C, height: H, width: W } = shape;
  const plane = H * W;
  const image = new Float32Array(C * plane);
  const box = cropBox(random, H, W, augmentation.crop);
  const flip = random.next() < augmentation.flip;
  resizeBox(source, shape, box, flip, image);
  if (random.next() < augmentation.jitter.probability) jitter(image, shape, augmentation.jitter, random);
  if (C === 3 && random.next() < augmentation.greyscale) {
    for (let p = 0; p < plane; p++) {
      const g = grey(image, plane, p);
      image[p] = g;
      image[plane + p] = g;
      image[2 * plane + p] = g;
    }
  }
  if (random.next() < augmentation.blur.probability) {
    const sigma = uniform(random, augmentation.blur.sigma);
    // torchvision's kernel_size is odd and about 10% of the side; radius = (kernel - 1) / 2
    const kernel = Math.max(3, 2 * Math.floor((augmentation.blur.kernel * Math.max(H, W)) / 2) + 1);
    blur(image, shape, sigma, (kernel - 1) / 2, new Float32Array(plane));
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.round(clamp(image[i]));
}

/**
 * Two independent views of each chosen image: rows 0..rows-1 hold the first views and rows..2 rows-1
 * the second, so view r and view rows + r are a positive pair (NT-Xent's layout). Filler rows of a
 * short batch stay blank.
 */
export function viewPairs(
  set: ImageSet,
  chosen: ArrayLike<number>,
  rows: number,
  augmentation: Augmentation,
  seed: number,
  epoch: number,
): Uint8Array {
  const volume = set.channels * set.height * set.width;
  const views = new Uint8Array(2 * rows * volume);
  for (let r = 0; r < chosen.length; r++) {
    const i = chosen[r];
    const source = set.pixels.subarray(i * volume, (i + 1) * volume);
    for (let v = 0; v < 2; v++) {
      const random = new Random(mix(seed, mix(epoch, 2 * i + v)));
      const row = v * rows + r;
      augmentView(source, set, augmentation, random, views.subarray(row * volume, (row + 1) * volume));
    }
  }
  return views;
}
