import os from 'node:os';
import type { Command } from 'commander';
import { ApiError } from '../../api/schema/errors.ts';
import {
  benchVariants,
  benchVideo,
  type VideoBenchSizes,
  videoBenchDefaults,
  videoCost,
} from '../../models/video/attention-bench.ts';

interface BenchVideoFlags {
  set: string[];
  steps: string;
  json?: boolean;
}

const SWEEP_FRAMES = [4, 8, 16, 32];

function sizesFrom(pairs: readonly string[]): VideoBenchSizes {
  const sizes = { ...videoBenchDefaults };
  for (const pair of pairs) {
    const [key, raw] = pair.split('=');
    const value = Number(raw);
    if (!(key in sizes) || !Number.isInteger(value) || value < 1) {
      throw new ApiError({
        code: 'invalid-input',
        message: `--set ${pair}: expected key=positive whole number with key one of ${Object.keys(videoBenchDefaults).join(', ')}`,
      });
    }
    sizes[key as keyof VideoBenchSizes] = value;
  }
  return sizes;
}

/**
 * `constellation bench video`: every video encoder and the frame-average baseline at one size
 * (params, FLOPs per clip, training ms per step, inference clips/s, peak memory; accuracy comes
 * from training runs), then FLOPs per clip at T = 4, 8, 16, 32. Like `bench engine` it runs in
 * this process (one child per row for its peak memory), opening no workspace.
 */
export function registerBenchVideo(bench: Command): void {
  bench
    .command('video')
    .description(
      'cost of each video encoder (ViViT Models 1-4, TimeSformer, MViT, frame average) and its growth with T',
    )
    .option(
      '--set <key=value>',
      `override a size (repeatable): ${Object.keys(videoBenchDefaults).join(', ')}`,
      (item: string, all: string[]) => [...all, item],
      [],
    )
    .option('--steps <n>', 'timed steps per row (after 2 untimed)', '5')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (flags: BenchVideoFlags) => {
      const sizes = sizesFrom(flags.set);
      const steps = Number(flags.steps);
      if (!Number.isInteger(steps) || steps < 1) {
        throw new ApiError({
          code: 'invalid-input',
          message: `--steps expects a positive whole number, got "${flags.steps}"`,
        });
      }
      const rows = await benchVideo(sizes, { steps });
      const sweep = SWEEP_FRAMES.flatMap((frames) =>
        benchVariants.map((name) => ({ name, frames, ...videoCost(name, { ...sizes, frames }) })),
      );
      const result = { sizes, rows, sweep, load_average: os.loadavg()[0] };
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const lines = rows.map(
        (r) =>
          `${r.name.padEnd(14)} params ${String(r.params).padStart(7)}  MFLOPs/clip ${(r.flops / 1e6).toFixed(2).padStart(7)}  ${r.ms_per_step} ms/step  ${r.clips_per_s} clips/s  peak ${r.peak_mb} MB`,
      );
      lines.push('MFLOPs per clip by T:');
      for (const name of benchVariants) {
        const by = sweep
          .filter((r) => r.name === name)
          .map((r) => `T=${r.frames} ${(r.flops / 1e6).toFixed(1)}`);
        lines.push(`  ${name.padEnd(14)} ${by.join('  ')}`);
      }
      lines.push(`load average ${result.load_average.toFixed(2)}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
