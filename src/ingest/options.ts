import type { z } from 'zod';
import { InputError } from './types.ts';

/** Validates an importer's options, naming the option that is wrong. */
export function parseOptions<T extends z.ZodType>(format: string, schema: T, options: unknown): z.infer<T> {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new InputError(`${format} options`, null, issue.path.join('.') || null, issue.message);
}
