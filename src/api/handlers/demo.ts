import { demoJob } from '../../demo/demo-job.ts';
import { runJob } from '../../jobs/run-job.ts';
import type { Handler } from '../handler.ts';

export const buildDemoCommand: Handler<'demo.build'> = async (
  { out, seed, force },
  { workspace, progress, signal },
) => runJob(demoJob, { out: out ?? workspace, seed, force }, { onProgress: progress, signal });
