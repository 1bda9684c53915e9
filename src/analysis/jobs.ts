// Projections, clusterings and the projection benchmark as jobs: they take seconds to minutes and
// run in a worker thread, which reads the run's vectors and stores the result itself.
import { availableParallelism, loadavg } from 'node:os';
import { defineJob } from '../jobs/job.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { clusteredVectors } from './clustered-vectors.ts';
import { type ClusteringRequest, cluster } from './clustering.ts';
import { type ProjectionProgress, type ProjectionRequest, project } from './projection.ts';
import { runVectors } from './run-vectors.ts';

export interface AnalysisProgress {
  stage: ProjectionProgress['stage'] | 'clustering' | 'storing';
  done: number;
  total: number;
}

interface StoredAnalysis {
  id: number;
  points: number;
  seconds: number;
  chosen: Record<string, number>;
}

export const projectionJob = defineJob<
  { workspace: string; run: number; request: ProjectionRequest },
  StoredAnalysis,
  AnalysisProgress
>(import.meta.url, 'projection', async ({ workspace, run, request }, { progress, signal }) => {
  const started = performance.now();
  const ws = openWorkspace(workspace);
  try {
    const matrix = runVectors(ws, run);
    const xy = await project(matrix.vectors, matrix.dim, request, { progress, signal });
    const n = matrix.entityIds.length;
    progress({ stage: 'storing', done: 0, total: n });
    const stored = ws.analyses.putProjection(
      run,
      request.method,
      { ...request.params },
      matrix.entityIds,
      xy,
    );
    return { id: stored.id, points: n, seconds: (performance.now() - started) / 1000, chosen: {} };
  } finally {
    ws.close();
  }
});

export const clusteringJob = defineJob<
  { workspace: string; run: number; request: ClusteringRequest },
  StoredAnalysis,
  AnalysisProgress
>(import.meta.url, 'clustering', async ({ workspace, run, request }, { progress }) => {
  const started = performance.now();
  const ws = openWorkspace(workspace);
  try {
    const matrix = runVectors(ws, run);
    const n = matrix.entityIds.length;
    progress({ stage: 'clustering', done: 0, total: n });
    const { clusters, chosen } = cluster(matrix.vectors, matrix.dim, request);
    progress({ stage: 'storing', done: 0, total: n });
    // what was chosen for the user is kept beside the parameters they gave
    const stored = ws.analyses.putClustering(
      run,
      request.method,
      { ...request.params, chosen },
      matrix.entityIds,
      clusters,
    );
    return { id: stored.id, points: n, seconds: (performance.now() - started) / 1000, chosen };
  } finally {
    ws.close();
  }
});

export interface ProjectionBenchRow {
  method: string;
  n: number;
  dim: number;
  seconds: number;
  /** CPU time of the whole process (all threads): under a shared machine's load, the steadier figure */
  cpu_seconds: number;
  /** UMAP: until the layout starts (neighbour index, fuzzy set, PCA start), then the layout epochs */
  graph_seconds?: number;
  layout_seconds?: number;
}

export const projectionBenchJob = defineJob<
  { sizes: number[]; dim: number; methods: ('pca' | 'umap')[] },
  { rows: ProjectionBenchRow[]; load_average: number[]; cores: number },
  AnalysisProgress
>(import.meta.url, 'projection-bench', async ({ sizes, dim, methods }, { progress, signal }) => {
  const rows: ProjectionBenchRow[] = [];
  for (const n of sizes) {
    const { vectors } = clusteredVectors(n, dim, 20, 1);
    for (const method of methods) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      let layoutStarted: number | undefined;
      const request: ProjectionRequest =
        method === 'pca'
          ? { method, params: {} }
          : { method, params: { neighbours: 15, minDist: 0.1, metric: 'cosine', seed: 0 } };
      await project(vectors, dim, request, {
        signal,
        progress: (event) => {
          if (event.stage === 'layout') layoutStarted ??= performance.now();
          progress(event);
        },
      });
      const ended = performance.now();
      const used = process.cpuUsage(cpu);
      rows.push({
        method,
        n,
        dim,
        seconds: (ended - started) / 1000,
        cpu_seconds: (used.user + used.system) / 1e6,
        ...(layoutStarted === undefined
          ? {}
          : {
              graph_seconds: (layoutStarted - started) / 1000,
              layout_seconds: (ended - layoutStarted) / 1000,
            }),
      });
    }
  }
  return { rows, load_average: loadavg(), cores: availableParallelism() };
});
