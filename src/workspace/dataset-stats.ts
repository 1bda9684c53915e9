import type { DatasetKind, DatasetStats, ImportNote, MediaRow } from './types.ts';

/**
 * Notes kept per dataset: enough to list every skipped file of an ordinary import, while a folder of
 * a million broken files still gives stats of a few hundred kilobytes (the rest are only counted).
 */
export const maxStoredNotes = 1000;

/** Per-entity relation counts of one entity type, grown as ids appear. */
class Tally {
  counts = new Int32Array(1024);

  addAll(ids: Int32Array | readonly number[]): void {
    let max = -1;
    for (let i = 0; i < ids.length; i++) if (ids[i] > max) max = ids[i];
    if (max >= this.counts.length) {
      const grown = new Int32Array(Math.max(max + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    const counts = this.counts;
    for (let i = 0; i < ids.length; i++) counts[ids[i]]++;
  }
}

/**
 * Collects a dataset's stats while it is imported, so commit() needs no query over millions of
 * relations: entity and relation counts come from the session, everything else from here.
 */
export class DatasetStatsCollector {
  private readonly sources = new Map<number, Tally>();
  private readonly targets = new Map<number, Tally>();
  private readonly classes = new Map<string, number>();
  private readonly labelled = new Map<string, number>();
  private interactions = 0;
  private hasTime = false;
  private mediaCount = 0;
  private readonly notes: ImportNote[] = [];
  private notesOmitted = 0;
  private readonly mediaShape = new Map<'width' | 'height' | 'channels' | 'frames', number | null>();

  constructor(private readonly kind: DatasetKind) {}

  /** Counts a batch of relations (already checked by the session) for the interaction-log summary. */
  addRelations(
    sourceTypeId: number,
    targetTypeId: number,
    source: Int32Array | readonly number[],
    target: Int32Array | readonly number[],
    time: Float64Array | readonly number[] | null | undefined,
  ): void {
    if (this.kind !== 'interactions') return;
    this.tally(this.sources, sourceTypeId).addAll(source);
    this.tally(this.targets, targetTypeId).addAll(target);
    this.interactions += source.length;
    if (time && !this.hasTime) this.hasTime = time.some((t) => !Number.isNaN(t));
  }

  addClass(typeName: string, label: string): void {
    this.classes.set(label, (this.classes.get(label) ?? 0) + 1);
    this.labelled.set(typeName, (this.labelled.get(typeName) ?? 0) + 1);
  }

  addMedia(row: MediaRow): void {
    this.mediaCount++;
    for (const field of ['width', 'height', 'channels', 'frames'] as const) {
      const seen = this.mediaShape.get(field);
      // a size is reported only when every media item shares it
      if (seen === undefined) this.mediaShape.set(field, row[field]);
      else if (seen !== row[field]) this.mediaShape.set(field, null);
    }
  }

  addNote(note: ImportNote): void {
    if (this.notes.length < maxStoredNotes) this.notes.push({ ...note });
    else this.notesOmitted++;
  }

  finish(entities: Record<string, number>, relations: Record<string, number>): DatasetStats {
    const stats: DatasetStats = { entities, relations };
    if (this.kind === 'interactions') {
      const lengths: number[] = [];
      for (const tally of this.sources.values()) for (const n of tally.counts) if (n > 0) lengths.push(n);
      let items = 0;
      for (const tally of this.targets.values()) for (const n of tally.counts) if (n > 0) items++;
      stats.interactions = {
        users: lengths.length,
        items,
        interactions: this.interactions,
        sequenceLength: summarize(lengths),
        hasTime: this.hasTime,
      };
    }
    if (this.classes.size > 0) {
      stats.classes = Object.fromEntries([...this.classes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      stats.labelled = Object.fromEntries(this.labelled);
    }
    if (this.mediaCount > 0) {
      stats.media = { count: this.mediaCount };
      for (const [field, value] of this.mediaShape) if (value !== null) stats.media[field] = value;
    }
    if (this.notes.length > 0) stats.notes = this.notes;
    if (this.notesOmitted > 0) stats.notesOmitted = this.notesOmitted;
    return stats;
  }

  private tally(tallies: Map<number, Tally>, typeId: number): Tally {
    let tally = tallies.get(typeId);
    if (!tally) {
      tally = new Tally();
      tallies.set(typeId, tally);
    }
    return tally;
  }
}

function summarize(values: number[]): { min: number; median: number; mean: number; max: number } {
  if (values.length === 0) return { min: 0, median: 0, mean: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { min: sorted[0], median, mean: sum / sorted.length, max: sorted[sorted.length - 1] };
}
