import type { Command } from 'commander';
import { ApiError } from '../../api/schema/errors.ts';
import { explorerFps } from '../explorer-fps.ts';
import { count } from '../format.ts';

interface BenchExplorerFlags {
  points: string;
  seconds: string;
  rounds: string;
  build: boolean;
  search: boolean;
  json?: boolean;
}

function positive(flag: string, raw: string, whole: boolean): number {
  const value = Number(raw);
  if (!(value > 0) || (whole && !Number.isInteger(value))) {
    throw new ApiError({
      code: 'invalid-input',
      message: `--${flag} expects a positive ${whole ? 'whole ' : ''}number, got "${raw}"`,
    });
  }
  return value;
}

/**
 * `constellation bench explorer`: the explorer's frames per second during a scripted pan and zoom,
 * next to a bare sigma page. It drives a browser, so it runs here rather than in an API worker.
 */
export function registerBenchExplorer(bench: Command): void {
  bench
    .command('explorer')
    .description(
      'explorer frames/s during a scripted pan and zoom over a generated run, next to a bare sigma page drawing the same points (headless Chromium, llvmpipe); goal: at least 80% of the bare rate',
    )
    .option('--points <n>', 'points of the generated run', '100000')
    .option('--seconds <s>', 'seconds of pan and zoom per page and round', '10')
    .option('--rounds <n>', 'rounds of (explorer, bare page)', '2')
    .option('--no-build', 'measure the renderer build that is there instead of rebuilding it')
    .option('--search', 'then search the explorer for the last point by name')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (flags: BenchExplorerFlags) => {
      const r = await explorerFps({
        points: positive('points', flags.points, true),
        seconds: positive('seconds', flags.seconds, false),
        rounds: positive('rounds', flags.rounds, true),
        build: flags.build,
        search: flags.search === true,
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      const lines = [
        `${count(r.points)} points, explorer loaded in ${r.explorer_load_seconds.toFixed(1)} s`,
        `explorer:  ${r.explorer_fps.toFixed(2)} frames/s`,
        `bare page: ${r.bare_fps.toFixed(2)} frames/s`,
        `ratio:     ${r.ratio.toFixed(2)} (goal: at least 0.8)`,
      ];
      if (r.search)
        lines.push(
          `search "${r.search.query}": ${r.search.found ? 'found' : 'not found'} in ${r.search.seconds.toFixed(1)} s`,
        );
      lines.push(`load average ${r.load_average.map((l) => l.toFixed(1)).join(' ')} on ${r.cores} cores`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
