import { type Command, Option } from 'commander';
import { presetNames } from '../../models/simclr/config.ts';
import { type CommonFlags, commonOptions, setting, withCommonOptions } from '../common-options.ts';
import { count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';

interface TrainFlags extends CommonFlags {
  dataset: string;
  preset: (typeof presetNames)[number];
  set?: Record<string, unknown>;
  device: 'auto' | 'cpu' | 'webgpu' | 'cuda' | 'dml' | 'coreml';
  threads?: string;
  resume?: string;
}

const devices = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'];
const percent = (x: number) => `${(100 * x).toFixed(2)} %`;

/** A subcommand group another family may already have created (`train`). */
function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

/** `train simclr`. */
export function registerSimclr(program: Command): void {
  withCommonOptions(
    group(program, 'train', 'train a model on a dataset; the run is stored in the workspace')
      .command('simclr')
      .description(
        'a SimCLR image encoder trained without labels (Chen et al. 2020): ResNet (or ViT) encoder, projection head, NT-Xent, LARS',
      )
      .requiredOption('--dataset <name>', 'the images dataset')
      .addOption(
        new Option('--preset <name>', 'settings to start from (default adapts to the image size)')
          .choices(presetNames)
          .default('quick'),
      )
      .option(
        '--set <key=value>',
        'override a setting, e.g. encoder=vit, head_layers=3, batch_size=512, micro_batch=128 (repeatable)',
        setting,
      )
      .addOption(new Option('--device <device>', 'execution provider').choices(devices).default('auto'))
      .option('--threads <n>', 'intra-op threads (default: all cores)')
      .option('--resume <run>', 'continue a cancelled run from its last checkpoint'),
  ).action(async (flags: TrainFlags) => {
    await runCommand(
      'train.simclr',
      {
        dataset: flags.dataset,
        preset: flags.preset,
        settings: flags.set ?? {},
        device: flags.device,
        threads: flags.threads === undefined ? undefined : Number(flags.threads),
        resume: flags.resume === undefined ? undefined : Number(flags.resume),
      },
      commonOptions(flags),
      {
        progress: (p) =>
          p.phase === 'training'
            ? `epoch ${p.epoch} step ${p.step}: loss ${p.loss?.toFixed(4)}, lr ${p.lr?.toExponential(2)}, ${Math.round(p.images_per_s ?? 0)} images/s, ETA ${Math.round(p.eta_s ?? 0)} s`
            : `${p.phase}${p.total ? `: ${count(p.done ?? 0)} / ${count(p.total)}` : ''}`,
        text: (r) =>
          [
            `run ${r.run} (simclr) in ${seconds(r.seconds)} on ${r.device}: ${r.epochs} epochs, ${count(r.steps)} steps, best epoch ${r.best_epoch}, stopped by ${r.stopped}, ${Math.round(r.images_per_s)} images/s`,
            `  images ${r.data.image_size} x ${r.data.image_size} x ${r.data.channels}, representation ${r.data.representation_dim}, ${r.data.batch} images per step x ${r.data.accumulate} per update; ${r.data.resized} resized, ${r.data.converted} converted`,
            `  ${count(r.data.train_images)} training images; split (${r.data.split.test_from} test): ${count(r.data.split.validation)} validation, ${count(r.data.split.test)} test`,
            `  k-NN top-1: validation ${percent(r.validation_knn_top1)}, test ${percent(r.test_knn_top1)}; ${count(r.embeddings)} image representations stored`,
          ].join('\n'),
      },
    );
  });
}
