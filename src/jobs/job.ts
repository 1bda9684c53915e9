// What a job is: a named async function in a module that a worker thread can import by URL.
// The parent only holds the descriptor (module URL + name); the function runs in the worker.

export interface JobContext<P> {
  /** Sends a progress event to the parent; typed-array buffers inside it are transferred, not copied. */
  progress(event: P): void;
  /** Aborted when the parent cancels; the job should stop at its next check and throw. */
  signal: AbortSignal;
}

export interface Job<I, O, P> {
  readonly kind: 'constellation-job';
  /** file URL of the module that defines (and exports) this job */
  readonly module: string;
  /** unique within its module; the worker looks the job up by this name among the module's exports */
  readonly name: string;
  readonly run: (input: I, context: JobContext<P>) => Promise<O>;
}

/**
 * Declares a job. The result must be exported from `module` (pass `import.meta.url`), because
 * the worker thread finds it by importing that module.
 */
export function defineJob<I, O, P = never>(
  module: string,
  name: string,
  run: (input: I, context: JobContext<P>) => Promise<O>,
): Job<I, O, P> {
  return { kind: 'constellation-job', module, name, run };
}

export function isJob(value: unknown): value is Job<unknown, unknown, unknown> {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'constellation-job'
  );
}
