import { type Command, InvalidArgumentError, Option } from 'commander';
import { presetNames } from '../../models/simclr/config.ts';
import {
  type CommonFlags,
  commonOptions,
  optionalNumber,
  setting,
  withCommonOptions,
} from '../common-options.ts';
import { count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';
import {
  commandGroup,
  type TrainingFlags,
  trainingCommand,
  trainingInput,
  trainingProgressLine,
} from '../training-command.ts';

type Device = 'auto' | 'cpu' | 'webgpu' | 'cuda' | 'dml' | 'coreml';

interface RunFlags extends CommonFlags {
  set?: Record<string, unknown>;
  /** a stopped fine-tuning or distillation run to continue */
  resume?: string;
  device: Device;
  threads?: string;
}

interface BenchFlags extends RunFlags {
  pretrained: string;
  fractions: string;
}

const devices = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'];
const percent = (x: number) => `${(100 * x).toFixed(2)} %`;

/** --device and --threads of every command that trains. */
function withDevice(command: Command): Command {
  return command
    .addOption(new Option('--device <device>', 'execution provider').choices(devices).default('auto'))
    .option('--threads <n>', 'intra-op threads (default: all cores)');
}

/** --fractions 0.01,0.1,1 */
function fractionList(text: string): number[] {
  const fractions = text.split(',').map(Number);
  if (fractions.some((f) => !(f > 0 && f <= 1))) {
    throw new InvalidArgumentError(
      `--fractions expects fractions in (0, 1] separated by commas, got "${text}"`,
    );
  }
  return fractions;
}

/** `train simclr` and `train simclr2`: one trainer, v1's or v2's presets. */
function registerTraining(program: Command, version: 'simclr' | 'simclr2', description: string): void {
  trainingCommand(program, {
    name: version,
    description,
    dataset: 'the images dataset',
    presets: presetNames,
    preset: 'quick',
    presetHelp:
      'settings to start from: quick (digits, tests), default (any images, ResNet stages by their side), fashion (Fashion-MNIST in 45 minutes on 2 cores)',
    setHelp:
      'override a setting, e.g. encoder=vit, head_layers=3, batch_size=512, micro_batch=128 (repeatable)',
  }).action(async (flags: TrainingFlags<(typeof presetNames)[number]>) => {
    await runCommand(
      version === 'simclr' ? 'train.simclr' : 'train.simclr2',
      trainingInput(flags),
      commonOptions(flags),
      {
        progress: trainingProgressLine('images_per_s', 'images/s'),
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

/** Progress of a classifier's training (fine-tuning, distillation) for a person. */
function classifierProgress(p: {
  phase: string;
  epoch: number;
  step: number;
  loss?: number;
  images_per_s?: number;
  eta_s?: number;
  done?: number;
  total?: number;
}): string {
  return p.phase === 'training'
    ? `epoch ${p.epoch} step ${p.step}: loss ${p.loss?.toFixed(4)}, ${Math.round(p.images_per_s ?? 0)} images/s, ETA ${Math.round(p.eta_s ?? 0)} s`
    : `${p.phase}${p.total ? `: ${count(p.done ?? 0)} / ${count(p.total)}` : ''}`;
}

/** `eval RUN --protocol finetune` (registered by eval.ts): SimCLR v2 fine-tuning of a SimCLR run. */
export async function evalFinetune(run: number, flags: RunFlags): Promise<void> {
  await runCommand(
    'eval.finetune',
    {
      run,
      settings: flags.set ?? {},
      resume: optionalNumber(flags.resume),
      device: flags.device,
      threads: optionalNumber(flags.threads),
    },
    commonOptions(flags),
    {
      progress: classifierProgress,
      text: (r) =>
        [
          `run ${r.run} (simclr) fine-tuned as run ${r.finetuned_run} (init ${r.init}, ${r.pretrained_parameters} parameter tensors from run ${r.run}, ${count(r.weights)} weights) on ${(100 * r.fraction).toFixed(2)} % of the labels: ${count(r.labelled_train)} training + ${count(r.labelled_validation)} validation images`,
          `  ${r.epochs} epochs in ${seconds(r.seconds)} on ${r.device}, best epoch ${r.best_epoch} (validation top-1 ${percent(r.validation_top1)}), stopped by ${r.stopped}, ${Math.round(r.images_per_s)} images/s`,
          `  test top-1 ${percent(r.top1)} on ${count(r.images)} images`,
          ...r.classes.map(
            (c, i) =>
              `  ${c.padEnd(12)} ${percent(r.per_class_top1[i]).padStart(8)}  ${r.confusion[i].join(' ')}`,
          ),
        ].join('\n'),
    },
  );
}

/** `distill TEACHER` and `bench simclr2`, and `train simclr` / `train simclr2`. */
export function registerSimclr(program: Command): void {
  registerTraining(
    program,
    'simclr',
    'a SimCLR image encoder trained without labels (Chen et al. 2020): ResNet (or ViT) encoder, projection head, NT-Xent, LARS',
  );
  registerTraining(
    program,
    'simclr2',
    "SimCLR v2's pretraining (Chen et al. 2020b): SimCLR with the 3-layer projection head; then eval RUN --protocol finetune and distill",
  );

  withCommonOptions(
    withDevice(
      program
        .command('distill')
        .description(
          "SimCLR v2 distillation: a student (the teacher's network at half its ResNet width unless student_width is set) trained from scratch on the teacher's temperature-scaled outputs over every training image, labelled or not; prints the student's and the teacher's test top-1",
        )
        .argument('<teacher>', 'a fine-tuned run (from eval RUN --protocol finetune)')
        .option(
          '--set <key=value>',
          'a distillation setting, e.g. temperature=2, label_weight=0.5, student_width=4, epochs=10 (repeatable)',
          setting,
        )
        .option('--resume <run>', 'continue a stopped distillation of this teacher with its own settings'),
    ),
  ).action(async (teacher: string, flags: RunFlags) => {
    await runCommand(
      'distill',
      {
        teacher: Number(teacher),
        settings: flags.set ?? {},
        resume: optionalNumber(flags.resume),
        device: flags.device,
        threads: optionalNumber(flags.threads),
      },
      commonOptions(flags),
      {
        progress: classifierProgress,
        text: (r) =>
          [
            `run ${r.run} (simclr2-distill): width ${r.student_width} student (${count(r.student_weights)} weights) of run ${r.teacher}'s width ${r.teacher_width} teacher (${count(r.teacher_weights)}), τ ${r.temperature}, label weight ${r.label_weight}`,
            `  ${r.epochs} epochs in ${seconds(r.seconds)} on ${r.device}, best epoch ${r.best_epoch} (validation agreement ${percent(r.validation_agreement)}), stopped by ${r.stopped}, ${Math.round(r.images_per_s)} images/s`,
            `  test top-1: student ${percent(r.top1)}, teacher ${percent(r.teacher_top1)}; they agree on ${percent(r.agreement)} of ${count(r.images)} test images`,
          ].join('\n'),
      },
    );
  });

  withCommonOptions(
    withDevice(
      commandGroup(program, 'bench', 'benchmarks that print machine-readable results')
        .command('simclr2')
        .description(
          "SimCLR v2's table for a pretrained SimCLR run: per labelled fraction, fine-tuned vs supervised-from-scratch top-1 and the distilled student vs its teacher, every run stored (defaults sized for Fashion-MNIST on 2 cores, well under an hour; see src/models/simclr2/bench.ts)",
        )
        .requiredOption('--pretrained <run>', 'the SimCLR run (train simclr2) to fine-tune')
        .option('--fractions <list>', 'labelled fractions, comma-separated', '0.01,0.1,1')
        .option(
          '--set <key=value>',
          'a fine-tuning or distillation setting for every row, e.g. lr=0.001, epochs=5, temperature=2 (repeatable)',
          setting,
        ),
    ),
  ).action(async (flags: BenchFlags) => {
    await runCommand(
      'bench.simclr2',
      {
        pretrained: Number(flags.pretrained),
        fractions: fractionList(flags.fractions),
        settings: flags.set ?? {},
        device: flags.device,
        threads: optionalNumber(flags.threads),
      },
      commonOptions(flags),
      {
        progress: (p) => `fraction ${p.fraction}, ${p.stage}: ${classifierProgress(p)}`,
        text: (r) =>
          [
            `SimCLR v2 on run ${r.pretrained} (${r.head_layers}-layer head), ${seconds(r.seconds)}`,
            '  fraction  labels  fine-tuned  supervised    gain   student  teacher  seconds',
            ...r.rows.map((row) =>
              [
                String(row.fraction).padStart(8),
                count(row.labels).padStart(7),
                percent(row.finetuned_top1).padStart(10),
                percent(row.supervised_top1).padStart(11),
                (100 * row.gain).toFixed(2).padStart(7),
                percent(row.student_top1).padStart(9),
                percent(row.teacher_top1).padStart(8),
                row.seconds.toFixed(0).padStart(8),
              ].join(' '),
            ),
          ].join('\n'),
      },
    );
  });
}
