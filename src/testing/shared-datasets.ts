import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ../shared/datasets beside the checkout (present on the team's machines, absent in a user's clone). */
export const sharedDatasetsRoot =
  process.env.CONSTELLATION_DATASETS ?? join(repositoryRoot, '..', 'shared', 'datasets');

/**
 * The path of a shared dataset folder, or null after marking the test skipped with a visible
 * reason: a user's clone has no ../shared, and the tests must still pass there.
 */
export function sharedDataset(t: TestContext, name: string): string | null {
  const path = join(sharedDatasetsRoot, name);
  if (existsSync(path)) return path;
  t.skip(`skipped: ${path} is absent (real datasets live in ../shared/datasets on the team's machines)`);
  return null;
}
