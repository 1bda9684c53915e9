// Handwriting-like digits drawn from strokes, so the demo ships no image files: each digit is a
// few polylines in a unit box, transformed (rotation, scale, shift, pen thickness) and
// rasterised anti-aliased by distance to the strokes, then sprinkled with noise.
import type { Random } from './random.ts';

type Point = readonly [number, number];
type Stroke = readonly Point[];

function ellipse(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  from = 0,
  to = 2 * Math.PI,
  steps = 20,
): Point[] {
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = from + ((to - from) * i) / steps;
    return [cx + rx * Math.sin(angle), cy - ry * Math.cos(angle)] as const;
  });
}

/** Strokes of 0-9 in a unit box (x right, y down), the shapes people write. */
export const digitStrokes: readonly (readonly Stroke[])[] = [
  [ellipse(0.5, 0.5, 0.2, 0.33)],
  [
    [
      [0.38, 0.28],
      [0.53, 0.15],
      [0.53, 0.85],
    ],
  ],
  [
    [
      [0.3, 0.3],
      [0.36, 0.19],
      [0.5, 0.15],
      [0.64, 0.19],
      [0.69, 0.31],
      [0.64, 0.44],
      [0.3, 0.85],
      [0.72, 0.85],
    ],
  ],
  [
    [
      [0.31, 0.2],
      [0.5, 0.15],
      [0.67, 0.22],
      [0.67, 0.38],
      [0.49, 0.48],
      [0.69, 0.58],
      [0.7, 0.76],
      [0.52, 0.86],
      [0.3, 0.8],
    ],
  ],
  [
    [
      [0.62, 0.85],
      [0.62, 0.15],
      [0.27, 0.62],
      [0.75, 0.62],
    ],
  ],
  [
    [
      [0.7, 0.15],
      [0.35, 0.15],
      [0.32, 0.47],
      [0.52, 0.42],
      [0.68, 0.52],
      [0.69, 0.72],
      [0.54, 0.85],
      [0.3, 0.8],
    ],
  ],
  [
    [
      [0.66, 0.18],
      [0.5, 0.15],
      [0.36, 0.28],
      [0.3, 0.55],
      [0.34, 0.78],
      [0.5, 0.86],
      [0.66, 0.77],
      [0.68, 0.6],
      [0.54, 0.5],
      [0.38, 0.54],
      [0.31, 0.63],
    ],
  ],
  [
    [
      [0.28, 0.15],
      [0.72, 0.15],
      [0.45, 0.85],
    ],
    [
      [0.38, 0.5],
      [0.64, 0.5],
    ],
  ],
  [ellipse(0.5, 0.32, 0.16, 0.17), ellipse(0.5, 0.67, 0.2, 0.18)],
  [
    ellipse(0.5, 0.35, 0.18, 0.19),
    [
      [0.68, 0.35],
      [0.64, 0.85],
    ],
  ],
];

export interface GlyphPose {
  /** radians, clockwise */
  rotation: number;
  /** 1 = the glyph fills the box */
  scale: number;
  /** pixels */
  dx: number;
  dy: number;
  /** pen width in pixels */
  thickness: number;
}

/** A pose as a person's hand varies it. */
export function randomPose(random: Random, box: number): GlyphPose {
  return {
    rotation: random.uniform(-0.26, 0.26),
    scale: random.uniform(0.78, 1.05),
    dx: random.uniform(-0.07, 0.07) * box,
    dy: random.uniform(-0.07, 0.07) * box,
    thickness: random.uniform(0.07, 0.12) * box,
  };
}

/**
 * Draws `digit` at `pose` into a greyscale canvas (0 = black background, 255 = ink), its box of
 * `box` pixels placed at (left, top). Ink is the max over strokes, so overlapping strokes do not saturate.
 */
export function drawDigit(
  canvas: Uint8Array,
  width: number,
  height: number,
  digit: number,
  pose: GlyphPose,
  box: number,
  left = 0,
  top = 0,
): void {
  const cos = Math.cos(pose.rotation);
  const sin = Math.sin(pose.rotation);
  const place = ([x, y]: Point): Point => {
    const u = (x - 0.5) * pose.scale;
    const v = (y - 0.5) * pose.scale;
    return [
      left + box * (0.5 + u * cos - v * sin) + pose.dx,
      top + box * (0.5 + u * sin + v * cos) + pose.dy,
    ];
  };
  const segments: [Point, Point][] = [];
  for (const stroke of digitStrokes[digit]) {
    const placed = stroke.map(place);
    for (let i = 1; i < placed.length; i++) segments.push([placed[i - 1], placed[i]]);
  }
  const radius = pose.thickness / 2;
  // Each segment only inks the pixels near it: visit its bounding box grown by the pen radius.
  const reach = radius + 1;
  for (const [a, b] of segments) {
    const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - reach));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(a[0], b[0]) + reach));
    const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - reach));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(a[1], b[1]) + reach));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        // Coverage of a pixel by a pen of this radius, linear over the one-pixel edge: anti-aliasing.
        const ink = radius + 0.5 - distanceToSegment(x + 0.5, y + 0.5, a, b);
        if (ink <= 0) continue;
        const value = Math.round(Math.min(1, ink) * 255);
        const index = y * width + x;
        if (value > canvas[index]) canvas[index] = value;
      }
    }
  }
}

function distanceToSegment(px: number, py: number, [ax, ay]: Point, [bx, by]: Point): number {
  const vx = bx - ax;
  const vy = by - ay;
  const lengthSquared = vx * vx + vy * vy;
  const t =
    lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, ((px - ax) * vx + (py - ay) * vy) / lengthSquared));
  const dx = px - (ax + t * vx);
  const dy = py - (ay + t * vy);
  return Math.sqrt(dx * dx + dy * dy);
}

/** Sensor-like noise: small gaussian jitter on every pixel. */
export function addNoise(canvas: Uint8Array, random: Random, sigma: number): void {
  for (let i = 0; i < canvas.length; i++) {
    canvas[i] = Math.min(255, Math.max(0, Math.round(canvas[i] + random.normal() * sigma)));
  }
}
