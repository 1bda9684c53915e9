// The stored representations of an image run, cut along the run's own split. Every image model
// (vit, simclr, contrastive-pairs) stores its encoder's representation of every image as the run's
// embeddings and records the settings its split was drawn from (test_fraction,
// validation_fraction, seed); the split is recomputed here exactly as the trainer drew it, from the
// dataset's labels alone, so the test images stay the ones no choice was made on.
import { readImageLabels } from '../models/vision/image-set.ts';
import { type SplitStats, splitImages } from '../models/vision/splits.ts';
import type { Workspace } from '../workspace/workspace.ts';
import type { LabelledRows } from './linear-probe.ts';
import { EvaluationError } from './run-evaluation.ts';

export interface ImageRepresentations {
  run: number;
  model: string;
  dataset: string;
  dim: number;
  classes: string[];
  train: LabelledRows;
  validation: LabelledRows;
  test: LabelledRows;
}

interface SplitSettings {
  test_fraction: number;
  validation_fraction: number;
  seed: number;
  data?: { split?: SplitStats; classes?: string[] };
}

function splitSettings(runId: number, model: string, config: Record<string, unknown>): SplitSettings {
  const missing = ['test_fraction', 'validation_fraction', 'seed'].filter(
    (k) => typeof config[k] !== 'number',
  );
  if (missing.length > 0) {
    throw new EvaluationError(
      `run ${runId} (${model}) does not record how its images were split (${missing.join(', ')} missing from its config)`,
    );
  }
  return config as unknown as SplitSettings;
}

/**
 * The config that records a run's split: its own, or, for a fine-tuned or distilled SimCLR v2
 * classifier (which trains on its SimCLR run's images and split), the SimCLR settings and data
 * decisions it stores.
 */
function splitRecord(config: Record<string, unknown>): Record<string, unknown> {
  const data = config.data as { simclr?: Record<string, unknown>; source?: unknown } | undefined;
  return data?.simclr ? { ...data.simclr, data: data.source } : config;
}

export function imageRepresentations(workspace: Workspace, runId: number): ImageRepresentations {
  const run = workspace.runs.get(runId);
  if (!run) throw new EvaluationError(`no run with id ${runId} in ${workspace.path}`);
  const dataset = workspace.datasets.get(run.datasetId);
  if (!dataset) throw new EvaluationError(`the dataset of run ${runId} was deleted`);
  if (dataset.kind !== 'images') {
    throw new EvaluationError(
      `run ${runId} is a ${run.model} run on ${dataset.name}, which holds ${dataset.kind}; the linear and k-NN protocols evaluate image representations (vit, simclr, contrastive-pairs runs)`,
    );
  }
  if (run.status !== 'done') {
    throw new EvaluationError(
      `run ${runId} is ${run.status}, not done: its representations are stored when training ends`,
    );
  }
  const matrix = workspace.embeddings.get(runId);
  if (!matrix) throw new EvaluationError(`run ${runId} (${run.model}) stored no image representations`);
  const settings = splitSettings(runId, run.model, splitRecord(run.config));
  const images = readImageLabels(workspace, dataset.name);
  if (settings.data?.classes && settings.data.classes.join('\n') !== images.classes.join('\n')) {
    throw new EvaluationError(
      `dataset ${dataset.name} no longer has the classes run ${runId} was trained on`,
    );
  }
  const { split, stats } = splitImages(images, {
    testFraction: settings.test_fraction,
    validationFraction: settings.validation_fraction,
    seed: settings.seed,
  });
  const recorded = settings.data?.split;
  if (
    recorded &&
    (recorded.train !== stats.train ||
      recorded.validation !== stats.validation ||
      recorded.test !== stats.test)
  ) {
    throw new EvaluationError(
      `dataset ${dataset.name} changed since run ${runId}: its split was ${recorded.train}/${recorded.validation}/${recorded.test} train/validation/test images, now ${stats.train}/${stats.validation}/${stats.test}`,
    );
  }
  const rowOf = new Map<number, number>();
  for (let row = 0; row < matrix.entityIds.length; row++) rowOf.set(matrix.entityIds[row], row);
  const { dim, vectors } = matrix;
  const rowsOf = (part: Int32Array, name: string): LabelledRows => {
    const out = new Float32Array(part.length * dim);
    part.forEach((image, k) => {
      const row = rowOf.get(images.entityIds[image]);
      if (row === undefined) {
        throw new EvaluationError(
          `run ${runId} stored no representation of ${name} image ${images.entityIds[image]} (entity id); the dataset changed after the run`,
        );
      }
      out.set(vectors.subarray(row * dim, (row + 1) * dim), k * dim);
    });
    return { vectors: out, labels: Int32Array.from(part, (image) => images.labels[image]) };
  };
  return {
    run: runId,
    model: run.model,
    dataset: dataset.name,
    dim,
    classes: images.classes,
    train: rowsOf(split.train, 'training'),
    validation: rowsOf(split.validation, 'validation'),
    test: rowsOf(split.test, 'test'),
  };
}
