import { ApiError, type ApiErrorCode } from '../schema/errors.ts';

/** The errors a model's code raises by name, each with the code the API answers it with. */
export type ModelErrors = ReadonlyMap<string, ApiErrorCode>;

export function modelErrors(codes: Partial<Record<ApiErrorCode, readonly string[]>>): ModelErrors {
  return new Map(
    Object.entries(codes).flatMap(([code, names]) => names.map((name) => [name, code as ApiErrorCode])),
  );
}

/**
 * A model's known error as the ApiError its command answers; anything else unchanged (an internal
 * error). Jobs hand errors back as plain data, so they are known by name, not by class.
 */
export function refusal(error: unknown, command: string, known: ModelErrors): unknown {
  if (!(error instanceof Error)) return error;
  const code = known.get(error.name);
  return code ? new ApiError({ code, message: error.message, command }) : error;
}
