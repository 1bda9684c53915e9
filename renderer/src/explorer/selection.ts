// What a box or lasso selects and what leaves with it, without drawing anything: the points inside a
// polygon and the selected rows as CSV. The polygon is in graph coordinates (Scatter converts the
// drag once), so a selection over 1M points costs one pass over the coordinates, not 1M camera
// conversions.
import type { Points } from './Scatter.tsx';

export interface Vertex {
  x: number;
  y: number;
}

/**
 * Indices of the points inside the polygon (even-odd rule, so a lasso that crosses itself selects
 * what a person sees enclosed). Points outside the polygon's bounding box are skipped cheaply.
 */
export function pointsInPolygon(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  polygon: readonly Vertex[],
): number[] {
  if (polygon.length < 3) return [];
  let [left, right, bottom, top] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const v of polygon) {
    left = Math.min(left, v.x);
    right = Math.max(right, v.x);
    bottom = Math.min(bottom, v.y);
    top = Math.max(top, v.y);
  }
  const inside: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const px = x[i];
    const py = y[i];
    if (px < left || px > right || py < bottom || py > top) continue;
    let crossings = false;
    for (let a = 0, b = polygon.length - 1; a < polygon.length; b = a++) {
      const va = polygon[a];
      const vb = polygon[b];
      if (va.y > py !== vb.y > py && px < ((vb.x - va.x) * (py - va.y)) / (vb.y - va.y) + va.x) {
        crossings = !crossings;
      }
    }
    if (crossings) inside.push(i);
  }
  return inside;
}

/** The four corners of a box dragged from one corner to the other, as a polygon. */
export function boxPolygon(from: Vertex, to: Vertex): Vertex[] {
  return [from, { x: to.x, y: from.y }, to, { x: from.x, y: to.y }];
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The selected points as CSV (RFC 4180 quoting), one row per point in the order given:
 * key, label, type, class, cluster (empty where the run has no clustering yet), x, y.
 */
export function selectionCsv(
  rows: ArrayLike<number>,
  points: Points,
  clusters: readonly (number | null)[] | null,
): string {
  const lines = ['key,label,type,class,cluster,x,y'];
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    lines.push(
      [
        points.keys[i],
        points.labels[i],
        points.types[i],
        points.classes[i],
        clusters?.[i] ?? null,
        points.x[i],
        points.y[i],
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
