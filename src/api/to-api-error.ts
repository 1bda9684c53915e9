import { ZodError } from 'zod';
import { ApiError } from './schema/errors.ts';

// Errors from jobs arrive rebuilt from plain data (src/jobs/errors.ts), so they are recognised
// by name and fields rather than by class.
const cancelledNames = new Set(['ImportCancelled', 'AbortError', 'JobTerminated']);

/** Any failure of a command, as the one error shape every transport carries. */
export function toApiError(error: unknown, command?: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) {
    const issues = error.issues.map((issue) => ({
      path: issue.path.filter((key): key is string | number => typeof key !== 'symbol'),
      message: issue.message,
    }));
    const described = issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
    return new ApiError({
      code: 'invalid-input',
      message: `${command ? `${command}: ` : ''}${described.join('; ')}`,
      command,
      issues,
    });
  }
  if (!(error instanceof Error)) return new ApiError({ code: 'internal', message: String(error), command });
  const fields = error as Error & { file?: unknown; line?: unknown; field?: unknown };
  if (error.name === 'InputError' && typeof fields.file === 'string') {
    return new ApiError({
      code: 'bad-data',
      message: error.message,
      command,
      file: fields.file,
      line: typeof fields.line === 'number' ? fields.line : null,
      field: typeof fields.field === 'string' ? fields.field : null,
    });
  }
  if (error.name === 'DatasetNameTaken')
    return new ApiError({ code: 'conflict', message: error.message, command });
  if (error.name === 'WorkspaceError' || error.name === 'DuplicateEntityKey') {
    return new ApiError({ code: 'refused', message: error.message, command });
  }
  if (cancelledNames.has(error.name))
    return new ApiError({ code: 'cancelled', message: error.message, command });
  return new ApiError({ code: 'internal', message: error.message, command, stack: error.stack });
}
