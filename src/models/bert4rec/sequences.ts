// Per-user item sequences of an interaction log, as the sequential recommenders read them: in time
// order (ties and logs without time in file order), optionally k-core filtered, items renumbered
// 1..n (0 is padding, n + 1 the [MASK] token), and split leave-one-out as in the BERT4Rec and
// SASRec papers: the last item is the test target, the one before it the validation target, the
// rest is training. Users with fewer than 3 interactions cannot be split that way: they are left
// out of evaluation (counted) and their whole sequence is training data.
import { interactedRelation, itemType, userType } from '../../ingest/interactions/interaction-log.ts';
import { InputError } from '../../ingest/types.ts';
import type { InteractionSequences } from '../../workspace/types.ts';
import type { Workspace } from '../../workspace/workspace.ts';

export interface SequenceSplit {
  /** catalogue size n: model item ids are 1..n */
  items: number;
  /** workspace item index (per-type id) of model item i + 1 */
  itemIndex: Int32Array;
  /** workspace user index (per-type id) of sequence u */
  users: Int32Array;
  /** sequence u spans sequence[offsets[u] .. offsets[u + 1]) (model item ids) */
  offsets: Int32Array;
  sequence: Int32Array;
  /** 1 where the user has >= 3 interactions and takes part in validation and test */
  evaluated: Uint8Array;
  stats: SplitStats;
}

export interface SplitStats {
  users: number;
  items: number;
  interactions: number;
  /** users with at least 3 interactions: the evaluation set */
  evaluated_users: number;
  /** users with fewer than 3 interactions: training only */
  excluded_users: number;
  /** 'time' when the log has timestamps; 'file' when sequences follow file order (no timestamps) */
  order: 'time' | 'file';
  /** what k-core filtering removed */
  k_core: number;
  removed_users: number;
  removed_items: number;
  removed_interactions: number;
}

/** Reads the interaction log of a dataset (the `interacted` user -> item relation) as sequences. */
export function loadSequences(
  workspace: Workspace,
  datasetName: string,
): {
  sequences: InteractionSequences;
  itemCount: number;
  hasTime: boolean;
} {
  const dataset = workspace.datasets.byName(datasetName);
  if (!dataset)
    throw new InputError(`dataset ${datasetName}`, null, null, 'no such dataset in the workspace');
  const relation = workspace.entities.relationType(dataset.id, interactedRelation);
  const items = workspace.entities.type(dataset.id, itemType);
  if (!relation || !items || relation.sourceType !== userType) {
    throw new InputError(
      `dataset ${datasetName}`,
      null,
      null,
      `is a ${dataset.kind} dataset without a ${userType} -> ${itemType} "${interactedRelation}" relation; import an interaction log`,
    );
  }
  const sequences = workspace.relations.sequences(relation.id);
  let hasTime = false;
  for (let i = 0; i < sequences.times.length && !hasTime; i++) hasTime = !Number.isNaN(sequences.times[i]);
  return { sequences, itemCount: items.count, hasTime };
}

/** Keeps users and items with at least k interactions, repeating until both hold (k <= 1: no-op). */
export function kCoreFilter(seq: InteractionSequences, itemCount: number, k: number): InteractionSequences {
  if (k <= 1) return seq;
  const users = seq.users.length;
  const keepUser = new Uint8Array(users).fill(1);
  const keepItem = new Uint8Array(itemCount).fill(1);
  for (;;) {
    const userDegree = new Int32Array(users);
    const itemDegree = new Int32Array(itemCount);
    for (let u = 0; u < users; u++) {
      if (!keepUser[u]) continue;
      for (let j = seq.offsets[u]; j < seq.offsets[u + 1]; j++) {
        const item = seq.items[j];
        if (keepItem[item]) {
          userDegree[u]++;
          itemDegree[item]++;
        }
      }
    }
    let changed = false;
    for (let u = 0; u < users; u++) {
      if (keepUser[u] && userDegree[u] < k) {
        keepUser[u] = 0;
        changed = true;
      }
    }
    for (let i = 0; i < itemCount; i++) {
      if (keepItem[i] && itemDegree[i] < k) {
        keepItem[i] = 0;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const outUsers: number[] = [];
  const offsets: number[] = [0];
  const items: number[] = [];
  const times: number[] = [];
  for (let u = 0; u < users; u++) {
    if (!keepUser[u]) continue;
    for (let j = seq.offsets[u]; j < seq.offsets[u + 1]; j++) {
      if (!keepItem[seq.items[j]]) continue;
      items.push(seq.items[j]);
      times.push(seq.times[j]);
    }
    if (items.length === offsets[offsets.length - 1]) continue;
    outUsers.push(seq.users[u]);
    offsets.push(items.length);
  }
  return {
    users: Int32Array.from(outUsers),
    offsets: Int32Array.from(offsets),
    items: Int32Array.from(items),
    times: Float64Array.from(times),
  };
}

/**
 * Renumbers the items that occur 1..n (in order of workspace index, so the same log always gives
 * the same ids) and marks the users that can be split leave-one-out.
 */
export function splitLeaveOneOut(
  raw: InteractionSequences,
  itemCount: number,
  options: { kCore?: number; hasTime: boolean; source: string },
): SequenceSplit {
  const filtered = kCoreFilter(raw, itemCount, options.kCore ?? 0);
  if (filtered.items.length === 0) {
    throw new InputError(
      options.source,
      null,
      'interactions',
      options.kCore
        ? `nothing is left after ${options.kCore}-core filtering`
        : 'the interaction log is empty',
    );
  }
  const modelId = new Int32Array(itemCount);
  for (let j = 0; j < filtered.items.length; j++) modelId[filtered.items[j]] = 1;
  let n = 0;
  for (let i = 0; i < itemCount; i++) if (modelId[i]) modelId[i] = ++n;
  if (n < 2) {
    throw new InputError(
      options.source,
      null,
      'items',
      `the catalogue has ${n} item; ranking needs at least 2 items to choose between`,
    );
  }
  const itemIndex = new Int32Array(n);
  for (let i = 0; i < itemCount; i++) if (modelId[i]) itemIndex[modelId[i] - 1] = i;
  const sequence = new Int32Array(filtered.items.length);
  for (let j = 0; j < sequence.length; j++) sequence[j] = modelId[filtered.items[j]];
  const users = filtered.users.length;
  const evaluated = new Uint8Array(users);
  let evaluatedUsers = 0;
  for (let u = 0; u < users; u++) {
    if (filtered.offsets[u + 1] - filtered.offsets[u] >= 3) {
      evaluated[u] = 1;
      evaluatedUsers++;
    }
  }
  if (evaluatedUsers === 0) {
    throw new InputError(
      options.source,
      null,
      'interactions',
      `no user has 3 or more interactions (of ${users} users), so there is nothing to validate and test on leave-one-out`,
    );
  }
  return {
    items: n,
    itemIndex,
    users: filtered.users,
    offsets: filtered.offsets,
    sequence,
    evaluated,
    stats: {
      users,
      items: n,
      interactions: sequence.length,
      evaluated_users: evaluatedUsers,
      excluded_users: users - evaluatedUsers,
      order: options.hasTime ? 'time' : 'file',
      k_core: options.kCore ?? 0,
      removed_users: raw.users.length - users,
      removed_items: new Set(raw.items).size - n,
      removed_interactions: raw.items.length - sequence.length,
    },
  };
}

export type Phase = 'train' | 'validation' | 'test';

/**
 * The part of user u's sequence a phase may see as input: training and validation see the
 * training part, the test also sees the validation item. Users outside evaluation train on all.
 */
export function history(split: SequenceSplit, u: number, phase: Phase): Int32Array {
  const from = split.offsets[u];
  const to = split.offsets[u + 1];
  if (!split.evaluated[u]) return split.sequence.subarray(from, to);
  return split.sequence.subarray(from, phase === 'test' ? to - 1 : to - 2);
}

/** The held-out item of an evaluated user for a phase. */
export function target(split: SequenceSplit, u: number, phase: 'validation' | 'test'): number {
  const to = split.offsets[u + 1];
  return split.sequence[phase === 'test' ? to - 1 : to - 2];
}

/** Every item of user u (all phases): what protocols never sample as negatives. */
export function seenItems(split: SequenceSplit, u: number): Int32Array {
  return split.sequence.subarray(split.offsets[u], split.offsets[u + 1]);
}

/**
 * The part of user u's sequence that training reads: the training part, or with the validation
 * item (train_on_validation) everything before the test item, the test's input.
 */
export function trainingPart(split: SequenceSplit, u: number, withValidation: boolean): Int32Array {
  return history(split, u, withValidation ? 'test' : 'train');
}

/** Interactions per model item (index 0 unused) over what training reads. */
export function trainingPopularity(split: SequenceSplit, withValidation: boolean): Float64Array {
  const counts = new Float64Array(split.items + 1);
  for (let u = 0; u < split.users.length; u++) {
    for (const item of trainingPart(split, u, withValidation)) counts[item]++;
  }
  return counts;
}

/** Loads, filters and splits a dataset's interaction log. */
export function loadSplit(workspace: Workspace, datasetName: string, kCore = 0): SequenceSplit {
  const { sequences, itemCount, hasTime } = loadSequences(workspace, datasetName);
  return splitLeaveOneOut(sequences, itemCount, { kCore, hasTime, source: `dataset ${datasetName}` });
}
