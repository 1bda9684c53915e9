import { resolve } from 'node:path';
import { importers } from '../../ingest/registry.ts';
import { importJob } from '../../jobs/import-job.ts';
import { runJob } from '../../jobs/run-job.ts';
import type { Handler } from '../handler.ts';

export const runImportCommand: Handler<'import.run'> = async (input, { workspace, progress, signal }) =>
  runJob(
    importJob,
    // Paths are resolved here: the worker shares the process's working directory, but the
    // dataset's recorded source should not depend on where the command happened to run.
    { ...input, workspace: resolve(workspace), paths: input.paths.map((path) => resolve(path)) },
    { onProgress: progress, signal },
  );

export const listImportFormats: Handler<'import.formats'> = async ({ kind }) => ({
  importers: importers
    .filter((importer) => !kind || importer.kind === kind)
    .map(({ format, kind, description }) => ({ format, kind, description })),
});
