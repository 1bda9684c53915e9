// What a person chose to look at in the explorer (the selection, the categories filtered out, how
// filtered points show) and the history that undo and redo walk. Changes are pure producers
// `(args) => (view) => view`; `changed` records one as a step, so undo goes back one choice.
import type { Colouring } from './categories.ts';

/** The attributes a point can be coloured and filtered by. */
export type Attribute = 'type' | 'class' | 'cluster';

export interface ExplorerView {
  /** rows of the selected points (4 bytes a row: the history keeps many); null: nothing selected */
  selection: Int32Array | null;
  /** per attribute, the category names filtered out */
  excluded: Readonly<Record<Attribute, readonly string[]>>;
  /** filtered-out points greyed (still giving context) or not drawn */
  hideFiltered: boolean;
}

export interface ViewHistory {
  past: readonly ExplorerView[];
  present: ExplorerView;
  future: readonly ExplorerView[];
}

export type ViewProducer = (view: ExplorerView) => ExplorerView;

/** Steps kept for undo: enough for a session of exploring, bounded so selections of 1M rows (4 MB each) do not pile up. */
const depth = 50;

export const initialView: ExplorerView = {
  selection: null,
  excluded: { type: [], class: [], cluster: [] },
  hideFiltered: false,
};

export const startHistory = (present: ExplorerView = initialView): ViewHistory => ({
  past: [],
  present,
  future: [],
});

/** One undoable step; a producer that changes nothing records nothing. */
export const changed =
  (producer: ViewProducer) =>
  (history: ViewHistory): ViewHistory => {
    const next = producer(history.present);
    if (next === history.present) return history;
    return { past: [...history.past, history.present].slice(-depth), present: next, future: [] };
  };

export const undone = (history: ViewHistory): ViewHistory =>
  history.past.length === 0
    ? history
    : {
        past: history.past.slice(0, -1),
        present: history.past[history.past.length - 1],
        future: [history.present, ...history.future],
      };

export const redone = (history: ViewHistory): ViewHistory =>
  history.future.length === 0
    ? history
    : {
        past: [...history.past, history.present],
        present: history.future[0],
        future: history.future.slice(1),
      };

/** An empty selection is no selection: the view goes back to all points in colour. */
export const selected =
  (rows: Int32Array | null): ViewProducer =>
  (view) =>
    (rows === null || rows.length === 0) && view.selection === null
      ? view
      : { ...view, selection: rows === null || rows.length === 0 ? null : rows };

/** Shows a filtered-out category again, or filters a shown one out. */
export const toggledCategory =
  (attribute: Attribute, name: string): ViewProducer =>
  (view) => {
    const now = view.excluded[attribute];
    const next = now.includes(name) ? now.filter((n) => n !== name) : [...now, name];
    return { ...view, excluded: { ...view.excluded, [attribute]: next } };
  };

export const filteredShown =
  (hide: boolean): ViewProducer =>
  (view) =>
    view.hideFiltered === hide ? view : { ...view, hideFiltered: hide };

/**
 * Which points the filters take out (1) given each attribute's colouring (its categories name the
 * values, 'other' standing for the long tail); null when no filter is set.
 */
export function filteredOut(
  colourings: Readonly<Record<Attribute, Colouring | null>>,
  excluded: ExplorerView['excluded'],
  count: number,
): Uint8Array | null {
  let out: Uint8Array | null = null;
  for (const attribute of ['type', 'class', 'cluster'] as const) {
    const colouring = colourings[attribute];
    const names = excluded[attribute];
    if (!colouring || names.length === 0) continue;
    const dropped = colouring.categories.map((c) => names.includes(c.name));
    out ??= new Uint8Array(count);
    for (let i = 0; i < count; i++) if (dropped[colouring.of[i]]) out[i] = 1;
  }
  return out;
}
