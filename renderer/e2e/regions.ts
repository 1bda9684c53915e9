// Regions of the explorer's plot whose points the tests can name from stored coordinates alone. At
// sigma's starting camera the middle of the points' extent sits at the middle of the plot and both
// axes share one scale (y up), so a region bounded by rays from the middle (a wedge) holds the same
// points at any scale. Each region says its clearance (how near a point comes to its rays, over the
// extent), so a test can refuse one that a pixel of rounding could change.
import type { Page } from 'playwright-core';

export interface Coordinates {
  x: readonly number[];
  y: readonly number[];
}

interface Offset {
  dx: number;
  dy: number;
}

/** Each point's offset from the middle of the extent, in screen orientation (y down), over the extent. */
export function offsets({ x, y }: Coordinates): Offset[] {
  const [x0, x1] = [Math.min(...x), Math.max(...x)];
  const [y0, y1] = [Math.min(...y), Math.max(...y)];
  const extent = Math.max(x1 - x0, y1 - y0);
  return x.map((xk, k) => ({ dx: (xk - (x0 + x1) / 2) / extent, dy: -(y[k] - (y0 + y1) / 2) / extent }));
}

const degrees = (a: number) => ((((a * 180) / Math.PI) % 360) + 360) % 360;
const turn = (a: number) => ((a % 360) + 360) % 360;

/** Distance from a point to the ray from the middle at angle a (degrees, screen orientation). */
export function toRay(p: Offset, a: number): number {
  const ux = Math.cos((a * Math.PI) / 180);
  const uy = Math.sin((a * Math.PI) / 180);
  const along = p.dx * ux + p.dy * uy;
  return along <= 0 ? Math.hypot(p.dx, p.dy) : Math.abs(p.dx * uy - p.dy * ux);
}

/** The rows inside the wedge swept clockwise on screen from angle a1 to a2, and its rays' clearance. */
export function wedge(
  coordinates: Coordinates,
  a1: number,
  a2: number,
): { rows: number[]; clearance: number } {
  const span = turn(a2 - a1);
  const points = offsets(coordinates);
  const rows = points.flatMap((p, k) => (turn(degrees(Math.atan2(p.dy, p.dx)) - a1) < span ? [k] : []));
  const clearance = Math.min(...points.map((p) => Math.min(toRay(p, a1), toRay(p, a2))));
  return { rows, clearance };
}

/**
 * Boxes whose edges through the plot's middle are rays of a wedge (their other edges lie beyond
 * every point): the four quadrants and four halves, from one corner (0 or 1 of the plot's width and
 * height) to the middle (0.5) or to the middle of the far edge.
 */
const boxes = [
  { a1: 180, a2: 270, from: [0, 0], to: [0.5, 0.5] },
  { a1: 270, a2: 360, from: [1, 0], to: [0.5, 0.5] },
  { a1: 0, a2: 90, from: [1, 1], to: [0.5, 0.5] },
  { a1: 90, a2: 180, from: [0, 1], to: [0.5, 0.5] },
  { a1: 90, a2: 270, from: [0, 0], to: [0.5, 1] },
  { a1: 270, a2: 90, from: [1, 0], to: [0.5, 1] },
  { a1: 180, a2: 360, from: [0, 0], to: [1, 0.5] },
  { a1: 0, a2: 180, from: [0, 1], to: [1, 0.5] },
];

/** Of the boxes, the one whose edges pass farthest from any point, with the rows inside it. */
export function clearestBox(coordinates: Coordinates) {
  const [box, inside] = boxes
    .map((b) => [b, wedge(coordinates, b.a1, b.a2)] as const)
    .reduce((best, c) => (c[1].clearance > best[1].clearance ? c : best));
  return { ...box, ...inside };
}

/** Of the wedges 90° to 200° wide holding 20 to n - 20 points, the one whose rays pass farthest from any point. */
export function clearestWedge(coordinates: Coordinates) {
  const points = offsets(coordinates);
  const clear = Array.from({ length: 360 }, (_, a) => Math.min(...points.map((p) => toRay(p, a))));
  let best = { a1: 0, a2: 0, clearance: 0 };
  for (let a1 = 0; a1 < 360; a1++) {
    for (let span = 90; span <= 200; span++) {
      const a2 = (a1 + span) % 360;
      if (Math.min(clear[a1], clear[a2]) <= best.clearance) continue;
      const inside = wedge(coordinates, a1, a2).rows.length;
      if (inside >= 20 && inside <= points.length - 20)
        best = { a1, a2, clearance: Math.min(clear[a1], clear[a2]) };
    }
  }
  return { ...best, rows: wedge(coordinates, best.a1, best.a2).rows };
}

/** A plot on the page: its frame, its middle, and where the ray at angle a meets its edge (inset 3 px). */
export async function plotOn(page: Page, testId = 'scatter') {
  const frame = (await page.getByTestId(testId).boundingBox())!;
  const centre = { x: frame.x + frame.width / 2, y: frame.y + frame.height / 2 };
  const [halfW, halfH] = [frame.width / 2 - 3, frame.height / 2 - 3];
  const edge = (a: number) => {
    const [c, s] = [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)];
    const t = Math.min(
      Math.abs(c) > 1e-9 ? halfW / Math.abs(c) : Infinity,
      Math.abs(s) > 1e-9 ? halfH / Math.abs(s) : Infinity,
    );
    return { x: centre.x + c * t, y: centre.y + s * t };
  };
  // box corners 12 px inside the frame, past its rounded corners (sigma keeps 30 px free of points)
  const corner = ([fx, fy]: number[]) => ({
    x: fx === 0.5 ? centre.x : frame.x + 12 + fx * (frame.width - 24),
    y: fy === 0.5 ? centre.y : frame.y + 12 + fy * (frame.height - 24),
  });
  return { frame, centre, edge, corner };
}

export async function shiftDrag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.keyboard.down('Shift');
  await page.mouse.move(Math.round(from.x), Math.round(from.y));
  await page.mouse.down();
  await page.mouse.move(Math.round(to.x), Math.round(to.y), { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
}
