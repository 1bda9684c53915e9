import { type Command, Option } from 'commander';
import type { z } from 'zod';
import { Device } from '../api/schema/training.ts';
import { type CommonFlags, optionalNumber, setting, withCommonOptions } from './common-options.ts';
import { count } from './format.ts';

/** A subcommand group another family may already have created (`train`, `bench`). */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

/** The flags of `train MODEL` as commander parses them. */
export interface TrainingFlags<P extends string> extends CommonFlags {
  dataset: string;
  preset: P;
  set?: Record<string, unknown>;
  device: z.infer<typeof Device>;
  threads?: string;
  resume?: string;
}

export interface TrainingCommandSpec {
  /** the model's name after `train` */
  name: string;
  description: string;
  /** what --dataset names (the images dataset, the interaction log...) */
  dataset: string;
  presets: readonly string[];
  preset: string;
  /** --preset's help, when the default is more than a name */
  presetHelp?: string;
  /** --set's help, with the model's own examples */
  setHelp: string;
  /** options of this model alone, after --set */
  extra?: (command: Command) => Command;
}

/** `train MODEL` with --dataset, --preset, --set, --device, --threads, --resume and the common options. */
export function trainingCommand(program: Command, spec: TrainingCommandSpec): Command {
  const command = commandGroup(
    program,
    'train',
    'train a model on a dataset; the run is stored in the workspace',
  )
    .command(spec.name)
    .description(spec.description)
    .requiredOption('--dataset <name>', spec.dataset)
    .addOption(
      new Option('--preset <name>', spec.presetHelp ?? 'settings to start from')
        .choices(spec.presets)
        .default(spec.preset),
    )
    .option('--set <key=value>', spec.setHelp, setting);
  return withCommonOptions(
    (spec.extra?.(command) ?? command)
      .addOption(
        new Option('--device <device>', 'execution provider').choices(Device.options).default('auto'),
      )
      .option('--threads <n>', 'intra-op threads (default: all cores)')
      .option('--resume <run>', 'continue a cancelled run from its last checkpoint'),
  );
}

/** The training command's API input from its flags. */
export function trainingInput<P extends string>(flags: TrainingFlags<P>) {
  return {
    dataset: flags.dataset,
    preset: flags.preset,
    settings: flags.set ?? {},
    device: flags.device,
    threads: optionalNumber(flags.threads),
    resume: optionalNumber(flags.resume),
  };
}

interface TrainingProgressEvent {
  phase: string;
  epoch: number;
  step: number;
  loss?: number;
  lr?: number;
  eta_s?: number;
  done?: number;
  total?: number;
}

/** A training's progress line; `rate` is its throughput in the event, shown as `unit`. */
export function trainingProgressLine<R extends string>(rate: R, unit: string) {
  return (p: TrainingProgressEvent & { [K in R]?: number }): string =>
    p.phase === 'training'
      ? `epoch ${p.epoch} step ${p.step}: loss ${p.loss?.toFixed(4)}, lr ${p.lr?.toExponential(2)}, ${Math.round(p[rate] ?? 0)} ${unit}, ETA ${Math.round(p.eta_s ?? 0)} s`
      : `${p.phase}${p.total ? `: ${count(p.done ?? 0)} / ${count(p.total)}` : ''}`;
}
