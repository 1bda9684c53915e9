// Why a command's signal was aborted when the application is closing rather than the user
// cancelling: a training command then writes a checkpoint (TrainerThread.checkpoint) and marks its
// run `paused`, so the next start can offer to resume it (runs.resumable).

export class PauseRequested extends Error {
  constructor() {
    super('Constellation is closing; the command was asked to checkpoint and pause');
    this.name = 'PauseRequested';
  }
}

/** True when `signal` was aborted to pause (application closing), false for a plain cancel. */
export function isPauseRequested(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof PauseRequested;
}
