// What a run records as its code version: `git describe` of the checkout it ran from, or the
// package version where there is no git (an installed app).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const root = fileURLToPath(new URL('../../', import.meta.url));
  try {
    cached = execFileSync('git', ['describe', '--always', '--dirty', '--tags'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    cached = `v${pkg.version}`;
  }
  return cached;
}
