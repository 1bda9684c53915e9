import { z } from 'zod';
import { ImportSummary } from './import.ts';

export const DemoProgress = z.object({
  /** what is being built, in the user's words ("academic network", "digit images"...) */
  step: z.string(),
  done: z.number().int(),
  total: z.number().int(),
});

export const demoCommands = {
  'demo.build': {
    description: 'Build the embedded demo workspace (generated from a seed, no download)',
    input: z.object({
      /** the workspace file to create; the caller's workspace when absent */
      out: z.string().min(1).optional(),
      /** replaces the seed of resources/demo/demo.json */
      seed: z.number().int().nonnegative().optional(),
      /** rebuild a demo workspace that already exists (one holding other data is never replaced) */
      force: z.boolean().default(false),
    }),
    output: z.object({
      workspace: z.string(),
      seed: z.number().int(),
      /** false when an existing demo workspace was kept as it was */
      built: z.boolean(),
      datasets: z.array(ImportSummary),
      seconds: z.number(),
    }),
    progress: DemoProgress,
  },
} as const;
