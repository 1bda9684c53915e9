import { z } from 'zod';

export const benchCommands = {
  'bench.import': {
    description:
      "Generate a user,item,timestamp CSV, import it, and set the rate against the sqlite3 shell's .import",
    input: z.object({ rows: z.number().int().positive().default(5_000_000) }),
    output: z.object({
      rows: z.number().int(),
      seconds: z.number(),
      rows_per_s: z.number(),
      sqlite3_seconds: z.number(),
      sqlite3_rows_per_s: z.number(),
      ratio: z.number(),
      file_bytes: z.number().int(),
    }),
    progress: z.never(),
  },
} as const;
