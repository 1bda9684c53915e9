import os from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ApiError } from '../../api/schema/errors.ts';
import { benchModels, benchVideo, bestRuns, videoCost, withFrames } from '../../models/video/bench.ts';
import { settingKeys, VideoShapeRefused } from '../../models/video/config.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import { setting } from '../common-options.ts';

interface BenchVideoFlags {
  set?: Record<string, unknown>;
  steps: string;
  threads: string;
  workspace?: string;
  dataset?: string;
  json?: boolean;
}

const SWEEP_FRAMES = [4, 8, 16, 32];

const whole = (flag: string, raw: string): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ApiError({
      code: 'invalid-input',
      message: `${flag} expects a positive whole number, got "${raw}"`,
    });
  }
  return value;
};

/** Each variant's best finished run on the dataset (its sizes and test top-1), read-only. */
function runsOf(flags: BenchVideoFlags): Parameters<typeof benchModels>[0] {
  if (!flags.workspace && !flags.dataset) return {};
  if (!flags.workspace || !flags.dataset) {
    throw new ApiError({
      code: 'invalid-input',
      message: '--workspace and --dataset go together: the runs of that dataset fill the accuracy column',
    });
  }
  const workspace = openWorkspace(resolve(flags.workspace), { readonly: true });
  try {
    return bestRuns(workspace, flags.dataset);
  } finally {
    workspace.close();
  }
}

/** A size a variant cannot take is the user's input to fix, not a failure of the bench. */
function withSettingsChecked<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof VideoShapeRefused)
      throw new ApiError({ code: 'invalid-input', message: error.message });
    throw error;
  }
}

/**
 * `constellation bench video`: every video encoder as the trainer builds it (ViViT Models 1-4,
 * TimeSformer, MViT, the frame-average baseline): params, FLOPs per clip, training ms per step,
 * inference clips/s, peak memory, and with --workspace/--dataset the test top-1 of each variant's
 * best finished run there (measured at that run's sizes); then FLOPs per clip at T = 4, 8, 16, 32.
 * It runs in this process (one child per row for its peak memory).
 */
export function registerBenchVideo(bench: Command): void {
  bench
    .command('video')
    .description(
      'cost and accuracy of each video encoder (ViViT Models 1-4, TimeSformer, MViT, frame average) and its growth with T',
    )
    .option(
      '--set <key=value>',
      `override a setting of the motion preset for variants without a run (repeatable): ${settingKeys.filter((k) => k !== 'variant').join(', ')}`,
      setting,
    )
    .option('--workspace <file>', 'a workspace whose runs give sizes and accuracy (with --dataset)')
    .option('--dataset <name>', 'the dataset whose finished vivit runs fill the accuracy column')
    .option('--steps <n>', 'timed steps per row (after 2 untimed)', '5')
    .option('--threads <n>', 'intra-op threads of each row', '2')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (flags: BenchVideoFlags) => {
      const overrides = flags.set ?? {};
      if ('variant' in overrides) {
        throw new ApiError({
          code: 'invalid-input',
          message: '--set variant: bench video measures every variant',
        });
      }
      const steps = whole('--steps', flags.steps);
      const threads = whole('--threads', flags.threads);
      const models = withSettingsChecked(() => benchModels(runsOf(flags), overrides));
      const rows = await benchVideo(models, { steps, threads });
      const sweep = SWEEP_FRAMES.flatMap((frames) =>
        models.map((model) => {
          const at = withFrames(model, frames);
          return { name: model.name, frames, ...(at ? videoCost(at) : { params: null, flops: null }) };
        }),
      );
      const result = { rows, sweep, load_average: os.loadavg()[0] };
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const percent = (v: number | null) => (v === null ? '     -' : `${(100 * v).toFixed(1).padStart(5)}%`);
      const lines = rows.map(
        (r) =>
          `${r.name.padEnd(14)} top-1 ${percent(r.accuracy)}${r.run === null ? '' : ` (run ${r.run})`}  params ${String(r.params).padStart(7)}  MFLOPs/clip ${(r.flops / 1e6).toFixed(2).padStart(7)}  ${r.ms_per_step} ms/step (batch ${r.sizes.batch})  ${r.clips_per_s} clips/s  peak ${r.peak_mb} MB`,
      );
      lines.push('MFLOPs per clip by T:');
      for (const { name } of models) {
        const by = sweep
          .filter((r) => r.name === name)
          .map((r) => `T=${r.frames} ${r.flops === null ? '-' : (r.flops / 1e6).toFixed(1)}`);
        lines.push(`  ${name.padEnd(14)} ${by.join('  ')}`);
      }
      lines.push(`load average ${result.load_average.toFixed(2)}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
