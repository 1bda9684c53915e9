// An import as a job: the worker opens its own read-write connection, so the thread that serves
// a UI never parses a file, and a cancelled or failed import rolls back its own transaction.
import { checkPaths, runImport } from '../ingest/registry.ts';
import type { ImportProgress } from '../ingest/types.ts';
import type { DatasetKind } from '../workspace/types.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { defineJob } from './job.ts';

export interface ImportJobInput {
  workspace: string;
  kind: DatasetKind;
  paths: string[];
  name: string;
  format?: string;
  options: Record<string, unknown>;
}

export interface ImportJobOutput {
  dataset: string;
  kind: DatasetKind;
  entities: number;
  relations: number;
  media: number;
  seconds: number;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

export const importJob = defineJob<ImportJobInput, ImportJobOutput, ImportProgress>(
  import.meta.url,
  'import',
  async (input: ImportJobInput, { progress, signal }): Promise<ImportJobOutput> => {
    const started = performance.now();
    // before opening the workspace: a missing input must not leave a new, empty workspace file behind
    await checkPaths(input.paths);
    const workspace = openWorkspace(input.workspace);
    try {
      const dataset = await runImport(workspace, { ...input, progress, signal });
      return {
        dataset: dataset.name,
        kind: dataset.kind,
        entities: sum(dataset.stats.entities),
        relations: sum(dataset.stats.relations),
        media: dataset.stats.media?.count ?? 0,
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      workspace.close();
    }
  },
);
