import { interactedRelation, itemType, userType } from '../../ingest/interactions/interaction-log.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';

export const userHistory: Handler<'interactions.history'> = async (input, { workspace }) => {
  const command = 'interactions.history';
  const ws = openWorkspace(workspace, { readonly: true });
  try {
    const run = ws.runs.get(input.run);
    if (!run) throw new ApiError({ code: 'not-found', message: `no run ${input.run}`, command });
    const dataset = ws.datasets.get(run.datasetId)!;
    const users = ws.entities.type(dataset.id, userType);
    const items = ws.entities.type(dataset.id, itemType);
    const relation = ws.entities.relationType(dataset.id, interactedRelation);
    if (!users || !items || !relation) {
      throw new ApiError({
        code: 'refused',
        message: `run ${input.run}'s dataset "${dataset.name}" is not an interaction log (no ${userType}, ${itemType} and ${interactedRelation})`,
        command,
      });
    }
    const user = ws.entities.byKey(users.id, input.user);
    if (!user) {
      throw new ApiError({
        code: 'not-found',
        message: `no user "${input.user}" in dataset "${dataset.name}"`,
        command,
      });
    }
    const all = ws.relations.ofSource(relation.id, user.index);
    const latest = all.slice(Math.max(0, all.length - input.limit));
    const entities = ws.entities.atIndices(
      items.id,
      latest.map((r) => r.target),
    );
    return {
      run: input.run,
      dataset: dataset.name,
      user: input.user,
      total: all.length,
      items: latest.map((r, k) => ({ item: entities[k].key, label: entities[k].label, time: r.time })),
    };
  } finally {
    ws.close();
  }
};
