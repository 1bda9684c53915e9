import { resolve } from 'node:path';
import { labelClusters } from '../../analysis/cluster-labels.ts';
import { clusteringJob, projectionBenchJob, projectionJob } from '../../analysis/jobs.ts';
import { exactNeighbours } from '../../analysis/nearest-neighbours.ts';
import { AnalysisError, runVectors } from '../../analysis/run-vectors.ts';
import { runJob } from '../../jobs/run-job.ts';
import { entityDegrees } from '../../network/entity-degrees.ts';
import type { Clustering, Projection, Workspace } from '../../workspace/index.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';

function refusal(error: unknown, command: string): unknown {
  if (error instanceof Error && ['AnalysisError', 'ProjectionError', 'RangeError'].includes(error.name)) {
    return new ApiError({ code: 'refused', message: error.message, command });
  }
  return error;
}

async function withWorkspace<T>(path: string, command: string, use: (ws: Workspace) => T): Promise<T> {
  const ws = openWorkspace(path, { readonly: true });
  try {
    return use(ws);
  } catch (error) {
    throw refusal(error, command);
  } finally {
    ws.close();
  }
}

const info = (a: Projection | Clustering) => ({
  id: a.id,
  run: a.runId,
  method: a.method,
  params: a.params,
  created_at: a.createdAt,
});

/** JSON with object keys sorted, so equal parameters compare equal whatever their order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function sameRequest(stored: Projection | Clustering, method: string, params: Record<string, unknown>) {
  const { chosen: _chosen, ...asked } = stored.params;
  return stored.method === method && canonical(asked) === canonical(params);
}

export const listAnalyses: Handler<'analyses.list'> = (input, { workspace }) =>
  withWorkspace(workspace, 'analyses.list', (ws) => {
    runVectors(ws, input.run);
    return {
      projections: ws.analyses.projections(input.run).map(info),
      clusterings: ws.analyses.clusterings(input.run).map(info),
    };
  });

export const computeProjection: Handler<'projection.compute'> = async (
  input,
  { workspace, progress, signal },
) => {
  const { run, ...request } = input;
  const stored = await withWorkspace(workspace, 'projection.compute', (ws) => {
    runVectors(ws, run);
    const found = ws.analyses.projections(run).find((p) => sameRequest(p, request.method, request.params));
    return found && { found, points: ws.analyses.projection(found.id)!.entityIds.length };
  });
  if (stored) return { projection: info(stored.found), cached: true, points: stored.points, seconds: 0 };
  try {
    const done = await runJob(
      projectionJob,
      { workspace: resolve(workspace), run, request },
      { onProgress: progress, signal },
    );
    const projection = await withWorkspace(workspace, 'projection.compute', (ws) =>
      ws.analyses.projections(run).find((p) => p.id === done.id),
    );
    return { projection: info(projection!), cached: false, points: done.points, seconds: done.seconds };
  } catch (error) {
    throw refusal(error, 'projection.compute');
  }
};

export const getProjection: Handler<'projection.get'> = async (input, { workspace }) => {
  const { dataset, ...page } = await withWorkspace(workspace, 'projection.get', (ws) => {
    const projection = ws.analyses.projection(input.id);
    if (!projection) throw new AnalysisError(`no projection with id ${input.id}`);
    const end = Math.min(projection.entityIds.length, input.offset + input.limit);
    const ids = projection.entityIds.subarray(Math.min(input.offset, end), end);
    const who = ws.entities.describe(ids);
    const x: number[] = [];
    const y: number[] = [];
    for (let k = input.offset; k < end; k++) {
      x.push(projection.xy[2 * k]);
      y.push(projection.xy[2 * k + 1]);
    }
    return {
      ...info(projection),
      dataset: ws.datasets.get(ws.runs.get(projection.runId)!.datasetId)!,
      total: projection.entityIds.length,
      offset: input.offset,
      entity_ids: Array.from(ids),
      keys: who.keys,
      types: who.types,
      labels: who.labels,
      classes: who.classes,
      x,
      y,
    };
  });
  const { first, degrees } = await entityDegrees(workspace, dataset, (use) =>
    withWorkspace(workspace, 'projection.get', use),
  );
  return { ...page, degrees: page.entity_ids.map((id) => Math.max(0, degrees[id - first] ?? 0)) };
};

export const computeClustering: Handler<'clustering.compute'> = async (
  input,
  { workspace, progress, signal },
) => {
  const { run, ...request } = input;
  const stored = await withWorkspace(workspace, 'clustering.compute', (ws) => {
    runVectors(ws, run);
    return ws.analyses.clusterings(run).find((c) => sameRequest(c, request.method, request.params));
  });
  if (stored) {
    return {
      clustering: info(stored),
      cached: true,
      chosen: (stored.params.chosen ?? {}) as Record<string, number>,
      seconds: 0,
    };
  }
  try {
    const done = await runJob(
      clusteringJob,
      { workspace: resolve(workspace), run, request },
      { onProgress: progress, signal },
    );
    const clustering = await withWorkspace(workspace, 'clustering.compute', (ws) =>
      ws.analyses.clusterings(run).find((c) => c.id === done.id),
    );
    return { clustering: info(clustering!), cached: false, chosen: done.chosen, seconds: done.seconds };
  } catch (error) {
    throw refusal(error, 'clustering.compute');
  }
};

export const getClustering: Handler<'clustering.get'> = (input, { workspace }) =>
  withWorkspace(workspace, 'clustering.get', (ws) => {
    const clustering = ws.analyses.clustering(input.id);
    if (!clustering) throw new AnalysisError(`no clustering with id ${input.id}`);
    return {
      ...info(clustering),
      entity_ids: Array.from(clustering.entityIds),
      clusters: Array.from(clustering.clusters),
    };
  });

export const describeClusters: Handler<'clusters.describe'> = (input, { workspace }) =>
  withWorkspace(workspace, 'clusters.describe', (ws) => {
    const clustering = ws.analyses.clustering(input.id);
    if (!clustering) throw new AnalysisError(`no clustering with id ${input.id}`);
    const who = ws.entities.describe(clustering.entityIds);
    const clusters = labelClusters(
      { clusters: clustering.clusters, types: who.types, classes: who.classes, texts: who.labels },
      input.top,
    );
    return { clustering: input.id, clusters };
  });

/**
 * One query scans the run's vectors once (n x dim multiply-adds, milliseconds for 100k x 64):
 * cheaper than building an HNSW index, which pays off only for many queries (kNN graphs).
 */
export const queryNeighbours: Handler<'neighbours.query'> = (input, { workspace }) =>
  withWorkspace(workspace, 'neighbours.query', (ws) => {
    const matrix = runVectors(ws, input.run);
    const run = ws.runs.get(input.run)!;
    const types = ws.entities
      .types(run.datasetId)
      .filter((t) => !input.entityType || t.name === input.entityType);
    if (types.length === 0)
      throw new AnalysisError(`no entity type "${input.entityType}" in run ${input.run}'s dataset`);
    const matches = types.flatMap((t) => {
      const entity = ws.entities.byKey(t.id, input.entity);
      return entity ? [{ entity, type: t.name }] : [];
    });
    if (matches.length === 0) throw new AnalysisError(`no entity with key "${input.entity}"`);
    if (matches.length > 1) {
      throw new AnalysisError(
        `key "${input.entity}" exists in types ${matches.map((m) => m.type).join(', ')}; say which with entityType`,
      );
    }
    const [{ entity, type }] = matches;
    // embeddings come ordered by entity id
    let lo = 0;
    let hi = matrix.entityIds.length - 1;
    let row = -1;
    while (lo <= hi && row < 0) {
      const mid = (lo + hi) >> 1;
      if (matrix.entityIds[mid] === entity.id) row = mid;
      else if (matrix.entityIds[mid] < entity.id) lo = mid + 1;
      else hi = mid - 1;
    }
    if (row < 0) throw new AnalysisError(`${type} "${input.entity}" has no embedding in run ${input.run}`);
    const k = Math.min(input.k, matrix.entityIds.length - 1);
    const found = exactNeighbours(matrix.vectors, matrix.dim, input.metric, k, Int32Array.of(row), true);
    const rows = Array.from(found.rows).filter((r) => r >= 0);
    const ids = Int32Array.from(rows, (r) => matrix.entityIds[r]);
    const who = ws.entities.describe(ids);
    return {
      run: input.run,
      entity: { key: entity.key, type, label: entity.label },
      neighbours: rows.map((_, j) => ({
        entity_id: ids[j],
        key: who.keys[j],
        type: who.types[j],
        label: who.labels[j],
        similarity: -found.distances[j] + (input.metric === 'cosine' ? 1 : 0),
      })),
    };
  });

export const benchProjection: Handler<'bench.projection'> = async (input, { progress, signal }) =>
  runJob(projectionBenchJob, input, { onProgress: progress, signal });
