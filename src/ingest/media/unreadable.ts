// What an importer of images or clips does with a file it cannot read: by default the import fails
// naming the file (and nothing is written); with onCorrupt 'skip' (the CLI's --skip-corrupt) the
// file is left out, noted on the dataset with its problem, and the rest imports.
import { z } from 'zod';
import { type ImportContext, InputError } from '../types.ts';

export const onCorruptOption = z.enum(['fail', 'skip']).default('fail');
export type OnCorrupt = z.infer<typeof onCorruptOption>;

/**
 * `read()`, or null when it found the file unreadable (an InputError) and the policy is 'skip'.
 * Under 'fail' the error is rethrown with the way out named; other errors (a missing tool, a
 * cancel) always end the import.
 */
export async function readOrSkip<T>(
  ctx: Pick<ImportContext, 'session'>,
  onCorrupt: OnCorrupt,
  read: () => Promise<T>,
): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    if (onCorrupt === 'fail') {
      throw new InputError(
        error.file,
        error.line,
        error.field,
        `${error.problem} (import with onCorrupt: 'skip', --skip-corrupt on the command line, to leave it out)`,
      );
    }
    ctx.session.note({ action: 'skipped', file: error.file, problem: error.problem });
    return null;
  }
}
