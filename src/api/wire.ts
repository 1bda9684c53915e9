// The wire protocol every transport speaks (serve-mode WebSocket, Electron IPC): one JSON object
// per message, a request id chosen by the caller, progress frames while a command runs, then
// exactly one result or error frame. Pure zod, so the browser, the preload and the server check
// frames with the same schemas.
import { z } from 'zod';
import { ApiError, ApiErrorData } from './schema/errors.ts';

/** Messages larger than this are refused with an error frame (the connection stays open). */
export const maxMessageBytes = 1024 * 1024;

/** Chosen by the caller, unique among its commands in flight on one connection. */
export const RequestId = z.string().min(1).max(100);
export type RequestId = z.infer<typeof RequestId>;

/** Run `command` with `input`; the input is checked against the command's schema by the dispatcher. */
export const RequestFrame = z.object({
  type: z.literal('request'),
  id: RequestId,
  command: z.string().min(1).max(200),
  input: z.unknown(),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

/** Stop the command `id`; it then ends with an error frame of code `cancelled` (or its result, if it won the race). */
export const CancelFrame = z.object({ type: z.literal('cancel'), id: RequestId });
export type CancelFrame = z.infer<typeof CancelFrame>;

export const ClientFrame = z.discriminatedUnion('type', [RequestFrame, CancelFrame]);
export type ClientFrame = z.infer<typeof ClientFrame>;

export const ProgressFrame = z.object({ type: z.literal('progress'), id: RequestId, progress: z.unknown() });
export type ProgressFrame = z.infer<typeof ProgressFrame>;

export const ResultFrame = z.object({ type: z.literal('result'), id: RequestId, result: z.unknown() });
export type ResultFrame = z.infer<typeof ResultFrame>;

/** `id` is null when the message it answers could not be read (malformed JSON, too large, no id). */
export const ErrorFrame = z.object({
  type: z.literal('error'),
  id: RequestId.nullable(),
  error: ApiErrorData,
});
export type ErrorFrame = z.infer<typeof ErrorFrame>;

export const ServerFrame = z.discriminatedUnion('type', [ProgressFrame, ResultFrame, ErrorFrame]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** Size of a message as it travels (UTF-8 bytes). */
export function messageBytes(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

export function tooLarge(bytes: number): ApiError {
  return new ApiError({
    code: 'invalid-input',
    message: `the message is ${bytes} bytes; the API accepts at most ${maxMessageBytes} bytes per message`,
  });
}

/**
 * Reads one client message: the frame, or the error frame to answer with. Never throws, so a
 * transport can answer any bad message and keep serving.
 */
export function readClientFrame(
  text: string,
): { frame: ClientFrame; error?: undefined } | { frame?: undefined; error: ErrorFrame } {
  const bytes = messageBytes(text);
  if (bytes > maxMessageBytes) return { error: errorFrame(null, tooLarge(bytes)) };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      error: errorFrame(
        null,
        new ApiError({ code: 'invalid-input', message: `the message is not valid JSON: ${reason}` }),
      ),
    };
  }
  return checkClientFrame(json);
}

/** Checks an already-parsed client message (IPC delivers objects, not text). */
export function checkClientFrame(
  json: unknown,
): { frame: ClientFrame; error?: undefined } | { frame?: undefined; error: ErrorFrame } {
  const parsed = ClientFrame.safeParse(json);
  if (parsed.success) return { frame: parsed.data };
  const id = RequestId.safeParse((json as { id?: unknown } | null)?.id);
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.filter((key): key is string | number => typeof key !== 'symbol'),
    message: issue.message,
  }));
  const described = issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  return {
    error: errorFrame(
      id.success ? id.data : null,
      new ApiError({
        code: 'invalid-input',
        message: `the message is not a request or cancel frame: ${described.join('; ')}`,
        issues,
      }),
    ),
  };
}

export function errorFrame(id: RequestId | null, error: ApiError): ErrorFrame {
  return { type: 'error', id, error: error.toJSON() };
}
