import { type Command, Option } from 'commander';
import { ApiError } from '../../api/schema/errors.ts';
import { benchEngine, engineBenchDefaults, engineBenchSizes } from '../../models/bench-engine.ts';
import { type DeviceChoice, executionProviders } from '../../onnx/runtime/devices.ts';
import { formatProfile } from '../../onnx/runtime/profile.ts';

interface BenchEngineFlags {
  set: string[];
  profile?: boolean;
  device: DeviceChoice;
  json?: boolean;
}

/**
 * `constellation bench engine`: ms per BERT4Rec-sized training step. It runs the engine in this
 * process rather than through the API dispatcher: a developer measurement that opens no
 * workspace, where a worker hop would only add noise to the figure.
 */
export function registerBenchEngine(bench: Command): void {
  bench
    .command('engine')
    .description(
      'time a BERT4Rec-sized training step (2 layers, d 64, 2 heads, T 200, batch 64, 3,700 items, 40 masked positions, AdamW)',
    )
    .option(
      '--set <key=value>',
      `override a size (repeatable): ${Object.keys(engineBenchDefaults).join(', ')}`,
      (item: string, all: string[]) => [...all, item],
      [],
    )
    .option('--profile', 'also print a per-op time breakdown (onnxruntime profiling)')
    .addOption(
      new Option('--device <device>', 'execution provider')
        .choices(['auto', ...executionProviders])
        .default('cpu'),
    )
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (flags: BenchEngineFlags) => {
      let sizes: ReturnType<typeof engineBenchSizes>;
      try {
        sizes = engineBenchSizes(flags.set);
      } catch (error) {
        throw new ApiError({ code: 'invalid-input', message: (error as Error).message });
      }
      const { result, profile } = await benchEngine(sizes, { device: flags.device, profile: flags.profile });
      if (flags.json) {
        const breakdown = profile && {
          runs: profile.runs,
          kernel_ms_per_run: profile.kernelMs / profile.runs,
          by_op_type: profile.byOpType.slice(0, 20),
          by_scope: profile.byScope.slice(0, 20),
        };
        process.stdout.write(`${JSON.stringify(breakdown ? { ...result, profile: breakdown } : result)}\n`);
        return;
      }
      process.stdout.write(
        `${result.ms_per_step} ms/step (${result.steps_per_s} steps/s; min ${result.ms_min}, median ${result.ms_median}; ${result.cpu_ms_per_step} ms CPU/step) on ${result.device} with ${result.threads} threads, load average ${result.load_average}\n`,
      );
      if (profile) process.stdout.write(`${formatProfile(profile, 20)}\n`);
    });
}
