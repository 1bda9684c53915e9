// Top-k next items for one user of a stored run: the user's whole sequence (all phases: this is
// the question "what next, now") is the history, the items they already interacted with are
// left out unless asked for.
import { itemType, userType } from '../../ingest/interactions/interaction-log.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { fillHistory } from './batches.ts';
import { seenItems } from './sequences.ts';
import { openStoredRun, RunNotUsable } from './stored-run.ts';

export class UnknownUser extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownUser';
  }
}

export interface Recommendation {
  item: string;
  label: string | null;
  score: number;
}

export interface RecommendResult {
  run: number;
  model: string;
  user: string;
  history: number;
  recommendations: Recommendation[];
}

export async function recommend(
  workspace: Workspace,
  runId: number,
  userKey: string,
  { k, includeSeen = false }: { k: number; includeSeen?: boolean },
): Promise<RecommendResult> {
  const stored = openStoredRun(workspace, runId);
  const dataset = workspace.datasets.require(stored.dataset);
  const users = workspace.entities.type(dataset.id, userType);
  const items = workspace.entities.type(dataset.id, itemType);
  if (!users || !items) throw new RunNotUsable(`dataset ${stored.dataset} has no users or items`);
  const user = workspace.entities.byKey(users.id, userKey);
  const u = user ? stored.split.users.indexOf(user.index) : -1;
  if (!user || u < 0) {
    throw new UnknownUser(
      user
        ? `user "${userKey}" of dataset ${stored.dataset} has no interactions left after k-core filtering`
        : `no user "${userKey}" in dataset ${stored.dataset}`,
    );
  }
  const { split, config } = stored;
  const seen = seenItems(split, u);
  const ids = new BigInt64Array(config.max_len);
  fillHistory(ids, seen, config.objective, split.items + 1);
  const scorer = await stored.scorer(1);
  let scores: Float32Array;
  try {
    scores = await scorer.score(ids);
  } finally {
    await scorer.release();
  }
  const excluded = new Uint8Array(split.items + 1);
  if (!includeSeen) for (const item of seen) excluded[item] = 1;
  const candidates: number[] = [];
  for (let i = 1; i <= split.items; i++) if (!excluded[i]) candidates.push(i);
  candidates.sort((a, b) => scores[b] - scores[a] || a - b);
  const keys = workspace.entities.keys(items.id);
  const recommendations = candidates.slice(0, k).map((i) => {
    const key = keys[split.itemIndex[i - 1]];
    return { item: key, label: workspace.entities.byKey(items.id, key)?.label ?? null, score: scores[i] };
  });
  return { run: runId, model: stored.model, user: userKey, history: seen.length, recommendations };
}
