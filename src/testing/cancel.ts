/**
 * A trainer request's `signal` and `onProgress` that cancel the run at its first training report:
 * spread into the request, the run stops at step 1 with its checkpoint.
 */
export function cancelAtFirstStep() {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    onProgress: (p: { phase: string }) => {
      if (p.phase === 'training') controller.abort();
    },
  };
}
