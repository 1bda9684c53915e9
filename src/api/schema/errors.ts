import { z } from 'zod';

/**
 * Why a command failed, as every transport carries it (IPC, WebSocket, the CLI's --json):
 * - invalid-input: the command's input broke its schema; `issues` name each field path
 * - bad-data: a file being read is wrong; `file`, `line`, `field` say where
 * - not-found / conflict: a named dataset or run is missing / already taken
 * - refused: the workspace cannot do it now (opened read-only, another import running, no such file)
 * - cancelled: the user stopped it and nothing was changed
 * - unknown-command, internal: a bug or a missing feature, with the stack when there is one
 */
export const ApiErrorCode = z.enum([
  'invalid-input',
  'bad-data',
  'not-found',
  'conflict',
  'refused',
  'cancelled',
  'unknown-command',
  'internal',
]);
export type ApiErrorCode = z.infer<typeof ApiErrorCode>;

export const ApiErrorData = z.object({
  code: ApiErrorCode,
  message: z.string(),
  command: z.string().optional(),
  issues: z
    .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
    .optional(),
  file: z.string().optional(),
  line: z.number().int().nullable().optional(),
  field: z.string().nullable().optional(),
  stack: z.string().optional(),
});
export type ApiErrorData = z.infer<typeof ApiErrorData>;

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly data: ApiErrorData;

  constructor(data: ApiErrorData) {
    super(data.message);
    this.name = 'ApiError';
    this.code = data.code;
    this.data = data;
    if (data.stack) this.stack = data.stack;
  }

  toJSON(): ApiErrorData {
    return this.data;
  }
}
