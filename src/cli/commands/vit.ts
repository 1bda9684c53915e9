import { type Command, Option } from 'commander';
import { presetNames } from '../../models/vit/config.ts';
import { type CommonFlags, commonOptions, optionalNumber, withCommonOptions } from '../common-options.ts';
import { count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';
import {
  commandGroup,
  type TrainingFlags,
  trainingCommand,
  trainingInput,
  trainingProgressLine,
} from '../training-command.ts';

interface BenchFlags extends CommonFlags {
  preset: (typeof presetNames)[number];
  size: string;
  channels: string;
  steps: string;
  warmup: string;
  threads?: string;
}

const percent = (x: number) => `${(100 * x).toFixed(2)} %`;

/** The rollout as text: one row of the grid per line, each patch's share as a shade. */
function heatRows(rollout: number[], grid: number): string[] {
  const shades = ' .:-=+*#%@';
  const top = Math.max(...rollout);
  return Array.from(
    { length: grid },
    (_, r) =>
      `  ${rollout
        .slice(r * grid, (r + 1) * grid)
        .map((x) => shades[Math.min(shades.length - 1, Math.floor((x / top) * shades.length))].repeat(2))
        .join('')}`,
  );
}

/** `train vit`, `bench vit` and `vit attention` (`eval RUN --protocol supervised` lives in eval.ts). */
export function registerVit(program: Command): void {
  trainingCommand(program, {
    name: 'vit',
    description:
      'a Vision Transformer image classifier (sizes adapt to the dataset: 8 x 8 patch 2, 28 x 28 patch 4)',
    dataset: 'the images dataset',
    presets: presetNames,
    preset: 'default',
    presetHelp: 'settings to start from (default: by image side, quick up to 16 pixels, fashion above)',
    setHelp: 'override a setting, e.g. hidden=96, layers=6, epochs=20 (repeatable)',
  }).action(async (flags: TrainingFlags<(typeof presetNames)[number]>) => {
    await runCommand('train.vit', trainingInput(flags), commonOptions(flags), {
      progress: trainingProgressLine('images_per_s', 'images/s'),
      text: (r) =>
        [
          `run ${r.run} (vit) in ${seconds(r.seconds)} on ${r.device}: ${r.epochs} epochs, ${count(r.steps)} steps, best epoch ${r.best_epoch}, stopped by ${r.stopped}, ${Math.round(r.images_per_s)} images/s`,
          `  images ${r.data.image_size} x ${r.data.image_size} x ${r.data.channels}, patch ${r.data.patch}, batch ${r.data.batch}; ${r.data.resized} resized, ${r.data.converted} converted`,
          `  split (${r.data.split.test_from} test): ${count(r.data.split.train)} train, ${count(r.data.split.validation)} validation, ${count(r.data.split.test)} test, ${count(r.data.split.unlabelled)} unlabelled`,
          `  validation top-1 ${percent(r.validation_top1)}, test top-1 ${percent(r.test.top1)}; ${count(r.embeddings)} image embeddings stored`,
        ].join('\n'),
    });
  });

  withCommonOptions(
    commandGroup(program, 'vit', 'what a trained Vision Transformer run shows')
      .command('attention')
      .description(
        "per layer and head the [CLS] token's attention over one image's patches, and the rollout over all layers",
      )
      .argument('<run>', 'a finished ViT run')
      .requiredOption(
        '--entity <name|id>',
        "the image: its entity id or its key (file name) in the run's dataset",
      ),
  ).action(async (run: string, flags: CommonFlags & { entity: string }) => {
    const id = /^\d+$/.test(flags.entity) ? Number(flags.entity) : flags.entity;
    await runCommand('vit.attention', { run: Number(run), entity: id }, commonOptions(flags), {
      text: (r) =>
        [
          `run ${r.run}, image ${r.entity.key} (entity ${r.entity.id}, class ${r.label ?? 'none'}): predicted ${r.predicted} (${percent(r.confidence)})`,
          `  ${r.layers} layers x ${r.heads} heads over ${r.grid} x ${r.grid} patches of ${r.patch} pixels; attention rollout:`,
          ...heatRows(r.rollout, r.grid),
        ].join('\n'),
    });
  });

  withCommonOptions(
    commandGroup(program, 'bench', 'benchmarks that print machine-readable results')
      .command('vit')
      .description(
        'ViT training and inference images/s on generated images (default: the fashion preset, 28 x 28)',
      )
      .addOption(new Option('--preset <name>', 'the model size').choices(presetNames).default('fashion'))
      .option('--size <n>', 'side of the square images', '28')
      .option('--channels <n>', '1 or 3', '1')
      .option('--steps <n>', 'timed steps and inference batches', '10')
      .option('--warmup <n>', 'untimed ones first', '2')
      .option('--threads <n>', 'intra-op threads (default: all cores)'),
  ).action(async (flags: BenchFlags) => {
    await runCommand(
      'bench.vit',
      {
        preset: flags.preset,
        size: Number(flags.size),
        channels: Number(flags.channels) as 1 | 3,
        steps: Number(flags.steps),
        warmup: Number(flags.warmup),
        threads: optionalNumber(flags.threads),
      },
      commonOptions(flags),
      {
        text: (r) =>
          [
            `vit ${r.preset} (${r.image_size} x ${r.image_size} x ${r.channels}, patch ${r.patch}, d ${r.hidden}, ${r.layers} layers) on ${r.device} x${r.threads}`,
            `  training:  ${r.train_images_per_s.toFixed(1)} images/s (${r.train_ms_per_step.toFixed(0)} ms per step of ${r.batch}), ${r.train_images_per_cpu_s.toFixed(1)} images per CPU second`,
            `  inference: ${r.inference_images_per_s.toFixed(1)} images/s (${r.inference_ms_per_batch.toFixed(0)} ms per batch of ${r.eval_batch}), ${r.inference_images_per_cpu_s.toFixed(1)} images per CPU second`,
            `  load average ${r.load_average.toFixed(2)}, CPU ${seconds(r.cpu_seconds)}`,
          ].join('\n'),
      },
    );
  });
}
