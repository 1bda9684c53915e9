import { benchImportJob } from '../../jobs/bench-import-job.ts';
import { runJob } from '../../jobs/run-job.ts';
import type { Handler } from '../handler.ts';

export const benchImportCommand: Handler<'bench.import'> = async ({ rows }, { signal }) =>
  runJob(benchImportJob, { rows }, { signal });
