// Errors cross the thread boundary as plain data: structured clone keeps neither custom classes
// nor their fields (an InputError's file/line/field), so both ends agree on this shape instead.

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** own enumerable fields of the error (file, line, field, code...), when they are plain data */
  fields: Record<string, unknown>;
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

/** An error thrown inside a job, rebuilt in the parent with the worker's name, message, stack and fields. */
export class JobFailed extends Error {
  readonly fields: Record<string, unknown>;

  constructor(serialized: SerializedError) {
    super(serialized.message);
    this.name = serialized.name;
    this.fields = serialized.fields;
    Object.assign(this, serialized.fields);
    if (serialized.stack) this.stack = serialized.stack;
  }
}

/** The job ignored the cancel request for the whole grace period, so its thread was terminated. */
export class JobTerminated extends Error {
  constructor(job: string, graceMs: number) {
    super(`job ${job} did not stop within ${graceMs} ms of being cancelled; its thread was terminated`);
    this.name = 'JobTerminated';
  }
}
