// The demo build as a job: generating ~4,000 images and importing them is seconds of CPU work
// that must not run on a thread serving the UI.
import { defineJob } from '../jobs/job.ts';
import { buildDemo, type DemoProgress, type DemoSummary } from './build-demo.ts';

export interface DemoJobInput {
  out: string;
  seed?: number;
  force?: boolean;
}

export const demoJob = defineJob<DemoJobInput, DemoSummary, DemoProgress>(
  import.meta.url,
  'demo',
  async (input, { progress, signal }) => buildDemo({ ...input, progress, signal }),
);
