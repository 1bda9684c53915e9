import { z } from 'zod';

/** Header names recognised for each role of an interaction log, in order of preference. */
export const userColumns = [
  'user',
  'user_id',
  'userid',
  'uid',
  'customer_id',
  'visitor_id',
  'visitorid',
  'session_id',
];
export const itemColumns = [
  'item',
  'item_id',
  'itemid',
  'iid',
  'movie_id',
  'movieid',
  'product_id',
  'product',
];
export const timeColumns = ['timestamp', 'time', 'ts', 'date', 'datetime', 'event_time', 'created_at'];
export const ratingColumns = ['rating', 'weight', 'score', 'value'];
export const knownInteractionColumns = [...userColumns, ...itemColumns, ...timeColumns, ...ratingColumns];

const columnSpec = z.union([z.string(), z.number().int().positive()]);

/** The column-mapping options shared by the table-shaped interaction importers. */
export const interactionTableOptions = z.object({
  delimiter: z.string().min(1).optional(),
  header: z.boolean().optional(),
  quotes: z.boolean().optional(),
  /** a header name or a 1-based column number */
  user: columnSpec.optional(),
  item: columnSpec.optional(),
  time: columnSpec.optional(),
  rating: columnSpec.optional(),
});
export type InteractionTableOptions = z.infer<typeof interactionTableOptions>;
