// The evaluations of a run's embeddings the way the network-embedding papers report them:
// node classification with a logistic-regression probe over stratified splits at several train
// fractions (Macro/Micro-F1, mean and std over splits), clustering with k-means at k = classes
// (NMI and ARI, mean over seeds), and similarity search.
import { entityPageSize } from '../workspace/entities.ts';
import type { Workspace } from '../workspace/workspace.ts';
import { macroF1, microF1 } from './classification-metrics.ts';
import { ari, nmi } from './clustering-metrics.ts';
import { kMeans } from './kmeans.ts';
import { fitLogisticRegression, predictLogisticRegression } from './logistic-regression.ts';
import { cosineNeighbours } from './neighbours.ts';
import { stratifiedSplit } from './splits.ts';

/** A refusal the user can act on: no such run, no labels, an unknown key or type. */
export class EvaluationError extends Error {
  override name = 'EvaluationError';
}

export interface LabelledEmbeddings {
  type: string;
  dim: number;
  /** one row per labelled entity with an embedding, row-major */
  x: Float64Array;
  labels: Int32Array;
  classNames: string[];
  /** labelled entities of the type that have no embedding (never walked, or below min_count) */
  withoutEmbedding: number;
}

export const paperTrainFractions = [0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 0.9];

function rowsByEntity(entityIds: Int32Array): Map<number, number> {
  const rowOf = new Map<number, number>();
  for (let row = 0; row < entityIds.length; row++) rowOf.set(entityIds[row], row);
  return rowOf;
}

function requireRun(workspace: Workspace, runId: number) {
  const run = workspace.runs.get(runId);
  if (!run) throw new EvaluationError(`no run with id ${runId} in ${workspace.path}`);
  const matrix = workspace.embeddings.get(runId);
  if (!matrix) throw new EvaluationError(`run ${runId} stored no embeddings (status ${run.status})`);
  return { run, matrix };
}

/**
 * The embeddings of the labelled entities of one type: `typeName`, or the type with the most
 * labelled entities that have an embedding (the authors of DBLP, the movies of IMDB).
 */
export function labelledEmbeddings(
  workspace: Workspace,
  runId: number,
  typeName?: string,
): LabelledEmbeddings {
  const { run, matrix } = requireRun(workspace, runId);
  const rowOf = rowsByEntity(matrix.entityIds);
  const types = workspace.entities.types(run.datasetId);
  if (typeName !== undefined && !types.some((t) => t.name === typeName)) {
    throw new EvaluationError(`no entity type "${typeName}"; types: ${types.map((t) => t.name).join(', ')}`);
  }
  const candidates = types
    .filter((t) => typeName === undefined || t.name === typeName)
    .map((t) => {
      const ids = workspace.entities.ids(t.id);
      const labels = workspace.entities.classLabels(t.id);
      const rows: number[] = [];
      const names: string[] = [];
      let withoutEmbedding = 0;
      labels.forEach((label, index) => {
        if (label === null) return;
        const row = rowOf.get(ids[index]);
        if (row === undefined) withoutEmbedding++;
        else {
          rows.push(row);
          names.push(label);
        }
      });
      return { type: t.name, rows, names, withoutEmbedding };
    })
    .sort((a, b) => b.rows.length - a.rows.length);
  const chosen = candidates[0];
  if (!chosen || chosen.rows.length === 0) {
    throw new EvaluationError(
      `run ${runId}: no ${typeName ?? 'entity'} with a class label has an embedding; nothing to evaluate against`,
    );
  }
  const classNames = [...new Set(chosen.names)].sort();
  const classOf = new Map(classNames.map((name, k) => [name, k]));
  const dim = matrix.dim;
  const x = new Float64Array(chosen.rows.length * dim);
  chosen.rows.forEach((row, i) => {
    for (let d = 0; d < dim; d++) x[i * dim + d] = matrix.vectors[row * dim + d];
  });
  return {
    type: chosen.type,
    dim,
    x,
    labels: Int32Array.from(chosen.names, (name) => classOf.get(name)!),
    classNames,
    withoutEmbedding: chosen.withoutEmbedding,
  };
}

function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

function rows(x: Float64Array, dim: number, indices: Int32Array): Float64Array {
  const out = new Float64Array(indices.length * dim);
  for (let i = 0; i < indices.length; i++)
    out.set(x.subarray(indices[i] * dim, (indices[i] + 1) * dim), i * dim);
  return out;
}

export interface ClassificationFigure {
  train_fraction: number;
  macro_f1: number;
  macro_f1_std: number;
  micro_f1: number;
  micro_f1_std: number;
}

export interface ClassificationOptions {
  fractions?: readonly number[];
  splits?: number;
  seed?: number;
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
}

export async function nodeClassification(
  data: LabelledEmbeddings,
  options: ClassificationOptions = {},
): Promise<ClassificationFigure[]> {
  const fractions = options.fractions ?? paperTrainFractions;
  const splits = options.splits ?? 10;
  const seed = options.seed ?? 0;
  const classes = data.classNames.length;
  if (classes < 2)
    throw new EvaluationError(`node classification needs two classes or more; ${data.type} has ${classes}`);
  const figures: ClassificationFigure[] = [];
  let done = 0;
  for (const fraction of fractions) {
    const macro: number[] = [];
    const micro: number[] = [];
    for (let s = 0; s < splits; s++) {
      options.signal?.throwIfAborted();
      const split = stratifiedSplit(data.labels, fraction, seed + s);
      const model = fitLogisticRegression(
        rows(data.x, data.dim, split.train),
        Int32Array.from(split.train, (i) => data.labels[i]),
        classes,
      );
      const truth = Int32Array.from(split.test, (i) => data.labels[i]);
      const predicted = predictLogisticRegression(model, rows(data.x, data.dim, split.test));
      macro.push(macroF1(truth, predicted, classes));
      micro.push(microF1(truth, predicted));
      options.onProgress?.(++done, fractions.length * splits);
      // lets a cancel message reach a job thread between fits
      await new Promise((resolve) => setImmediate(resolve));
    }
    const ma = meanStd(macro);
    const mi = meanStd(micro);
    figures.push({
      train_fraction: fraction,
      macro_f1: ma.mean,
      macro_f1_std: ma.std,
      micro_f1: mi.mean,
      micro_f1_std: mi.std,
    });
  }
  return figures;
}

export interface ClusteringFigure {
  k: number;
  seeds: number;
  nmi: number;
  nmi_std: number;
  ari: number;
  ari_std: number;
}

export function clustering(data: LabelledEmbeddings, seeds = 10, seed = 0): ClusteringFigure {
  const k = data.classNames.length;
  const n = [];
  const a = [];
  for (let s = 0; s < seeds; s++) {
    const { assignments } = kMeans(data.x, data.dim, k, seed + s);
    n.push(nmi(data.labels, assignments));
    a.push(ari(data.labels, assignments));
  }
  const nm = meanStd(n);
  const ar = meanStd(a);
  return { k, seeds, nmi: nm.mean, nmi_std: nm.std, ari: ar.mean, ari_std: ar.std };
}

export interface NeighbourRow {
  key: string;
  type: string;
  label: string | null;
  similarity: number;
}

/** The k entities most similar to `key` (of `entityType` when the key exists in several types), optionally of one type. */
export function neighboursOf(
  workspace: Workspace,
  runId: number,
  query: { key: string; entityType?: string; type?: string; k: number },
): { entity: { key: string; type: string }; neighbours: NeighbourRow[] } {
  const { run, matrix } = requireRun(workspace, runId);
  const types = workspace.entities.types(run.datasetId);
  const known = types.map((t) => t.name).join(', ');
  for (const name of [query.entityType, query.type]) {
    if (name !== undefined && !types.some((t) => t.name === name)) {
      throw new EvaluationError(`no entity type "${name}"; types: ${known}`);
    }
  }
  const matches = types
    .filter((t) => query.entityType === undefined || t.name === query.entityType)
    .flatMap((t) => {
      const entity = workspace.entities.byKey(t.id, query.key);
      return entity ? [{ entity, type: t }] : [];
    });
  if (matches.length === 0)
    throw new EvaluationError(
      `no entity with key "${query.key}"${query.entityType ? ` of type ${query.entityType}` : ''}`,
    );
  if (matches.length > 1) {
    throw new EvaluationError(
      `key "${query.key}" exists in types ${matches.map((m) => m.type.name).join(', ')}; say which with the entity type`,
    );
  }
  const { entity, type } = matches[0];
  const rowOf = rowsByEntity(matrix.entityIds);
  const queryRow = rowOf.get(entity.id);
  if (queryRow === undefined)
    throw new EvaluationError(`${type.name} "${query.key}" has no embedding in run ${runId}`);
  // entity id -> (type, index) for the rows, to filter by type and to name the neighbours
  const rowType = new Int32Array(matrix.entityIds.length).fill(-1);
  const rowIndex = new Int32Array(matrix.entityIds.length);
  types.forEach((t, typeIndex) => {
    workspace.entities.ids(t.id).forEach((id, index) => {
      const row = rowOf.get(id);
      if (row !== undefined) {
        rowType[row] = typeIndex;
        rowIndex[row] = index;
      }
    });
  });
  const wanted = query.type === undefined ? -1 : types.findIndex((t) => t.name === query.type);
  const found = cosineNeighbours(
    matrix.vectors,
    matrix.dim,
    queryRow,
    query.k,
    (row) => wanted < 0 || rowType[row] === wanted,
  );
  const pages = new Map<string, ReturnType<Workspace['entities']['page']>>();
  const entityAt = (typeIndex: number, index: number) => {
    const t = types[typeIndex];
    const page = Math.floor(index / entityPageSize);
    const cacheKey = `${t.id}:${page}`;
    let rows = pages.get(cacheKey);
    if (!rows) {
      rows = workspace.entities.page(t.id, page);
      pages.set(cacheKey, rows);
    }
    return rows.rows.find((r) => r.index === index)!;
  };
  return {
    entity: { key: entity.key, type: type.name },
    neighbours: found.map(({ row, similarity }) => {
      const e = entityAt(rowType[row], rowIndex[row]);
      return { key: e.key, type: types[rowType[row]].name, label: e.label, similarity };
    }),
  };
}
