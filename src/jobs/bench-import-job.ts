// The import benchmark as a job: minutes of parsing and writing, kept off the caller's thread.
import { benchImport, type ImportBenchResult } from '../ingest/bench-import.ts';
import { defineJob } from './job.ts';

export const benchImportJob = defineJob<{ rows: number }, ImportBenchResult>(
  import.meta.url,
  'bench-import',
  async ({ rows }) => benchImport({ rows }),
);
