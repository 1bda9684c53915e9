// What the recommendation view reads beside `recommend` and `neighbours.query`: one user's
// interactions in order, titles where the log has them.
import { z } from 'zod';

export const recommendationCommands = {
  'interactions.history': {
    description:
      "A user's interactions in the dataset of an interaction-log run, by time (untimed ones last, ties in file order): the latest `limit` of them",
    input: z.object({
      run: z.number().int().positive(),
      user: z.string().min(1),
      limit: z.number().int().min(1).max(10_000).default(200),
    }),
    output: z.object({
      run: z.number().int(),
      dataset: z.string(),
      user: z.string(),
      /** the user's interactions in all; `items` holds the last `limit` */
      total: z.number().int(),
      items: z.array(
        z.object({
          item: z.string(),
          label: z.string().nullable(),
          /** as the log gives it (seconds since 1970 for dates), null when it has none */
          time: z.number().nullable(),
        }),
      ),
    }),
    progress: z.never(),
  },
} as const;
