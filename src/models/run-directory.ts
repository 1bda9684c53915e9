// Where a run's files live: a folder beside the workspace file (SQLite holds the run's record and
// metrics; checkpoints and exported models are files too large to keep in it).
import path from 'node:path';

export function runDirectory(workspacePath: string, run: number): string {
  return path.join(`${workspacePath}.runs`, `run-${run}`);
}

/** The checkpoint of the best validation epoch: what the test split and the stored run use. */
export const bestCheckpoint = (dir: string) => path.join(dir, 'best.safetensors');
/** The checkpoint a cancelled or paused run resumes from. */
export const lastCheckpoint = (dir: string) => path.join(dir, 'last.safetensors');
