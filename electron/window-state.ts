// The window's size and position, remembered in userData/window-state.json between starts.
// Restored only where it is still visible (a monitor may have been unplugged since).
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export const WindowState = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(400),
  height: z.number().int().min(300),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof WindowState>;

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const defaultSize = { width: 1280, height: 820 };

/** The saved state, or null when there is none or it is unreadable (a first start, a hand-edited file). */
export function readWindowState(file: string): WindowState | null {
  try {
    const parsed = WindowState.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeWindowState(file: string, state: WindowState): void {
  writeFileSync(file, `${JSON.stringify(state)}\n`);
}

/**
 * The bounds to open the window with: the saved ones when at least 100x50 px of the window's top
 * (its title bar) lies on one of today's displays, else the default size (centred by Electron).
 */
export function restoredBounds(
  saved: WindowState | null,
  displays: readonly Area[],
): Partial<Area> & typeof defaultSize {
  if (!saved) return { ...defaultSize };
  const visible = displays.some((d) => {
    const overlapX = Math.min(saved.x + saved.width, d.x + d.width) - Math.max(saved.x, d.x);
    const overlapY = Math.min(saved.y + 50, d.y + d.height) - Math.max(saved.y, d.y);
    return overlapX >= 100 && overlapY >= 50;
  });
  return visible
    ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height }
    : { width: saved.width, height: saved.height };
}
