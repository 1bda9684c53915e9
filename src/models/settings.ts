// A model's settings as a run uses them: its preset with the user's overrides (the CLI's --set,
// the API's settings, the training form), checked by the model's schema. An unknown key is an
// error that lists the known ones, so a typo is never silently ignored.
import { z } from 'zod';

export function withOverrides<T>(
  schema: z.ZodType<T>,
  keys: readonly string[],
  preset: T,
  overrides: Record<string, unknown>,
): T {
  const unknown = Object.keys(overrides).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    throw new z.ZodError(
      unknown.map((key) => ({
        code: 'custom' as const,
        path: [key],
        message: `unknown setting; the settings are ${keys.join(', ')}`,
        input: overrides[key],
      })),
    );
  }
  return schema.parse({ ...preset, ...overrides });
}
