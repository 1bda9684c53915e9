import { copyFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { recommenderFile } from '../../models/bert4rec/train.ts';
import { runDirectory } from '../../models/run-directory.ts';
import { trainableModels } from '../../training/catalog.ts';
import type { RunSummary as StoredRun } from '../../workspace/types.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';
import type { RunSummary } from '../schema/run-history.ts';
import { withWorkspace } from './datasets.ts';

const resumableModels = new Set(
  trainableModels.filter((m) => m.descriptor.resumable).flatMap((m) => m.descriptor.runModels),
);

function summarize(workspace: Workspace, run: StoredRun): RunSummary {
  const stopped = run.status === 'paused' || run.status === 'cancelled';
  return {
    id: run.id,
    dataset: workspace.datasets.get(run.datasetId)?.name ?? `dataset ${run.datasetId}`,
    model: run.model,
    config: run.config,
    seed: run.seed,
    device: run.device,
    codeVersion: run.codeVersion,
    status: run.status,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    seconds: run.seconds,
    metrics: run.metrics,
    resumable: stopped && resumableModels.has(run.model) && workspace.runs.checkpoints(run.id).length > 0,
    hasEmbeddings: workspace.embeddings.has(run.id),
    hasModel: existsSync(recommenderFile(runDirectory(workspace.path, run.id))),
  };
}

function requireRun(workspace: Workspace, id: number): StoredRun {
  const run = workspace.runs.list().find((r) => r.id === id);
  if (run) return run;
  throw new ApiError({ code: 'not-found', message: `there is no run ${id} in ${workspace.path}` });
}

export const listRuns: Handler<'runs.list'> = async ({ dataset }, { workspace }) =>
  withWorkspace(workspace, true, (ws) => {
    const datasetId = dataset === undefined ? undefined : ws.datasets.require(dataset).id;
    return { runs: ws.runs.list(datasetId).map((run) => summarize(ws, run)) };
  });

export const getRun: Handler<'runs.get'> = async ({ run }, { workspace }) =>
  withWorkspace(workspace, true, (ws) => {
    const found = requireRun(ws, run);
    const series = Object.fromEntries(
      Object.entries(ws.runs.metrics(run)).map(([name, s]) => [
        name,
        {
          steps: Array.from(s.steps),
          values: Array.from(s.values, (v) => (Number.isFinite(v) ? v : null)),
        },
      ]),
    );
    return { run: summarize(ws, found), series };
  });

export const deleteRun: Handler<'runs.delete'> = async ({ run }, { workspace }) =>
  withWorkspace(workspace, false, (ws) => {
    const found = requireRun(ws, run);
    if (found.status === 'running') {
      throw new ApiError({
        code: 'refused',
        message: `run ${run} is still training; pause or cancel it before deleting it`,
      });
    }
    ws.runs.delete(run);
    // its checkpoints and exported model live beside the workspace
    rmSync(runDirectory(ws.path, run), { recursive: true, force: true });
    return { deleted: run };
  });

export const exportModel: Handler<'export.model'> = async ({ run, out }, { workspace }) =>
  withWorkspace(workspace, true, (ws) => {
    requireRun(ws, run);
    const file = recommenderFile(runDirectory(ws.path, run));
    if (!existsSync(file)) {
      throw new ApiError({
        code: 'not-found',
        message: `run ${run} has no exported ONNX model (models that export one: BERT4Rec, SASRec, once training is done)`,
      });
    }
    const target = resolve(out);
    copyFileSync(file, target);
    return { run, files: [target], bytes: statSync(target).size };
  });
