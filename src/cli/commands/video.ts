import type { Command } from 'commander';
import { presetNames } from '../../models/video/config.ts';
import { type CommonFlags, commonOptions, withCommonOptions } from '../common-options.ts';
import { count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';
import { commandGroup, type TrainingFlags, trainingCommand, trainingInput } from '../training-command.ts';

interface MotionFlags extends CommonFlags {
  name: string;
  from?: string;
  clips: string;
  frames: string;
  size: string;
  lanes: string;
  seed: string;
}

const percent = (x: number) => `${(100 * x).toFixed(2)} %`;

/** `generate motion` and `train vivit` (`eval RUN --protocol supervised` serves video runs too). */
export function registerVideo(program: Command): void {
  withCommonOptions(
    commandGroup(program, 'generate', 'write generated datasets into the workspace')
      .command('motion')
      .description(
        'a video dataset labelled by motion only: objects sliding left or right in one or two lanes (classes: their directions)',
      )
      .requiredOption('--name <name>', 'the new dataset')
      .option('--from <dataset>', 'an image dataset whose images are the objects (default: drawn digits)')
      .option('--clips <n>', 'clips, spread evenly over the classes', '3000')
      .option('--frames <n>', 'frames per clip', '8')
      .option('--size <n>', 'side of the square greyscale frames', '32')
      .option('--lanes <n>', '1 (2 classes) or 2 (4 classes)', '2')
      .option('--seed <n>', 'the seed everything is drawn from', '1'),
  ).action(async (flags: MotionFlags) => {
    await runCommand(
      'generate.motion',
      {
        name: flags.name,
        from: flags.from,
        clips: Number(flags.clips),
        frames: Number(flags.frames),
        size: Number(flags.size),
        lanes: Number(flags.lanes) as 1 | 2,
        seed: Number(flags.seed),
      },
      commonOptions(flags),
      {
        progress: (p) => `generating: ${count(p.done)} / ${count(p.total)} clips`,
        text: (r) =>
          `dataset ${r.dataset}: ${count(r.clips)} clips of ${r.frames} frames ${r.size} x ${r.size}, classes ${r.classes.join(', ')}`,
      },
    );
  });

  trainingCommand(program, {
    name: 'vivit',
    description:
      'a video transformer classifier: --set variant=model1 (joint space-time attention), model2 (factorised encoder), model3 (factorised self-attention), timesformer (divided space-time attention), model4 (factorised dot-product attention), mvit (pooling attention), frame-average (baseline without temporal modelling)',
    dataset: 'the videos dataset',
    presets: presetNames,
    preset: 'quick',
    setHelp: 'override a setting, e.g. variant=model1, frames=8, tubelet=2 (repeatable)',
  }).action(async (flags: TrainingFlags<(typeof presetNames)[number]>) => {
    await runCommand('train.vivit', trainingInput(flags), commonOptions(flags), {
      progress: (p) =>
        p.phase === 'training'
          ? `epoch ${p.epoch} step ${p.step}: loss ${p.loss?.toFixed(4)}, lr ${p.lr?.toExponential(2)}, ${(p.clips_per_s ?? 0).toFixed(1)} clips/s, ETA ${Math.round(p.eta_s ?? 0)} s`
          : `${p.phase}${p.total ? `: ${count(p.done ?? 0)} / ${count(p.total)}` : ''}`,
      text: (r) =>
        [
          `run ${r.run} (vivit ${r.variant}) in ${seconds(r.seconds)} on ${r.device}: ${r.epochs} epochs, ${count(r.steps)} steps, best epoch ${r.best_epoch}, stopped by ${r.stopped}, ${r.clips_per_s.toFixed(1)} clips/s`,
          `  clips ${r.data.frames} x ${r.data.image_size} x ${r.data.image_size} x ${r.data.channels}, patch ${r.data.patch}, tubelet ${r.data.tubelet}, ${r.data.tokens} tokens, batch ${r.data.batch}; ${r.data.short_clips.count} short clips ${r.data.short_clips.handled === 'loop' ? 'looped' : 'padded'}, ${r.data.resized} resized, ${r.data.converted} converted`,
          `  split (${r.data.split.test_from} test): ${count(r.data.split.train)} train, ${count(r.data.split.validation)} validation, ${count(r.data.split.test)} test, ${count(r.data.split.unlabelled)} unlabelled`,
          ...(r.data.initialised_from
            ? [
                `  ${r.data.initialised_from.parameters.length} parameters from run ${r.data.initialised_from.run}`,
              ]
            : []),
          `  validation top-1 ${percent(r.validation_top1)}, test top-1 ${percent(r.test.top1)}; ${count(r.embeddings)} clip embeddings stored`,
        ].join('\n'),
    });
  });
}
