import { resolve } from 'node:path';
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
  renderer?: string;
  json?: boolean;
}

function positive(flag: string, raw: string, whole: boolean, zero = false): number {
  const value = Number(raw);
  if (!(value > 0 || (zero && value === 0)) || (whole && !Number.isInteger(value))) {
    const what = zero
      ? `${whole ? 'whole ' : ''}number of 0 or more`
      : `positive ${whole ? 'whole ' : ''}number`;
    throw new ApiError({ code: 'invalid-input', message: `--${flag} expects a ${what}, got "${raw}"` });
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
    .option('--rounds <n>', 'rounds of (explorer, bare page); 0: only load, first frame and --search', '2')
    .option('--no-build', 'measure the renderer build that is there instead of rebuilding it')
    .option(
      '--search',
      "then type the last point's name into the search box a key at a time (latency per key) and go to it",
    )
    .option(
      '--renderer <dir>',
      'measure this renderer build (an older one, to compare) instead of renderer/dist',
    )
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (flags: BenchExplorerFlags) => {
      const r = await explorerFps({
        points: positive('points', flags.points, true),
        seconds: positive('seconds', flags.seconds, false),
        rounds: positive('rounds', flags.rounds, true, true),
        build: flags.build,
        search: flags.search === true,
        rendererDir: flags.renderer === undefined ? undefined : resolve(flags.renderer),
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      const lines = [
        `${count(r.points)} points, explorer loaded in ${r.explorer_load_seconds.toFixed(1)} s, first frame at ${r.explorer_first_frame_seconds.toFixed(1)} s`,
      ];
      if (r.explorer_fps !== null && r.bare_fps !== null && r.ratio !== null)
        lines.push(
          `explorer:  ${r.explorer_fps.toFixed(2)} frames/s`,
          `bare page: ${r.bare_fps.toFixed(2)} frames/s`,
          `ratio:     ${r.ratio.toFixed(2)} (goal: at least 0.8)`,
        );
      if (r.search)
        lines.push(
          `search "${r.search.query}": ${r.search.found ? 'found' : 'not found'} in ${r.search.seconds.toFixed(1)} s, ${r.search.keystroke_seconds.length} keys (median ${r.search.median_keystroke_seconds.toFixed(3)} s, slowest ${r.search.max_keystroke_seconds.toFixed(3)} s); Enter to its neighbours listed ${r.search.select_seconds.toFixed(1)} s`,
        );
      lines.push(`load average ${r.load_average.map((l) => l.toFixed(1)).join(' ')} on ${r.cores} cores`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
