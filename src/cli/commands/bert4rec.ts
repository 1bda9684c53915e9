import { type Command, Option } from 'commander';
import { presetNames } from '../../models/bert4rec/config.ts';
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

interface TrainFlags extends TrainingFlags<(typeof presetNames)[number]> {
  baseline?: 'popularity' | 'sasrec';
}

interface RecommendFlags extends CommonFlags {
  user: string;
  k: string;
  includeSeen?: boolean;
}

interface BenchFlags extends CommonFlags {
  preset: (typeof presetNames)[number];
  set?: Record<string, unknown>;
  dataset?: string;
  steps: string;
  warmup: string;
  users: string;
  threads?: string;
  engine: boolean;
}

const metricLine = (m: Record<string, number>) =>
  ['HR@1', 'HR@5', 'HR@10', 'NDCG@5', 'NDCG@10', 'MRR'].map((k) => `${k} ${m[k].toFixed(4)}`).join('  ');

/** `train bert4rec`, `recommend` and `bench bert4rec` (`eval RUN --protocol` lives in eval.ts). */
export function registerBert4Rec(program: Command): void {
  trainingCommand(program, {
    name: 'bert4rec',
    description: 'BERT4Rec next-item recommendation on an interaction log (or a baseline)',
    dataset: 'the interaction-log dataset',
    presets: presetNames,
    preset: 'quick',
    setHelp:
      'override a setting, e.g. max_len=50, mask_prob=0.6, epochs=20; train_on_validation=true trains on the validation items too, as the authors did, with no early stopping (repeatable)',
    extra: (command) =>
      command.addOption(
        new Option('--baseline <model>', 'train a baseline with the same pipeline instead').choices([
          'popularity',
          'sasrec',
        ]),
      ),
  }).action(async (flags: TrainFlags) => {
    await runCommand(
      'train.bert4rec',
      { ...trainingInput(flags), baseline: flags.baseline },
      commonOptions(flags),
      {
        progress: trainingProgressLine('sequences_per_s', 'seq/s'),
        text: (r) =>
          [
            `run ${r.run} (${r.model}) in ${seconds(r.seconds)} on ${r.device}: ${r.epochs} epochs, ${count(r.steps)} steps, best epoch ${r.best_epoch}, stopped by ${r.stopped}`,
            `  split: ${count(r.split.users)} users (${count(r.split.excluded_users)} with < 3 interactions left out of evaluation), ${count(r.split.items)} items, order by ${r.split.order}`,
            ...(r.validation
              ? [`  validation  ${metricLine(r.validation)}`]
              : r.model_file
                ? ['  validation  none: the validation items were trained on (train_on_validation)']
                : []),
            ...Object.entries(r.test).map(([p, m]) => `  test ${p.padEnd(10)} ${metricLine(m)}`),
            ...(r.model_file ? [`  recommender: ${r.model_file}`] : []),
          ].join('\n'),
      },
    );
  });

  withCommonOptions(
    program
      .command('recommend')
      .description('top-k next items for a user from a BERT4Rec, SASRec or popularity run')
      .argument('<run>', 'run id')
      .requiredOption('--user <key>', "the user's key in the dataset")
      .option('--k <n>', 'how many items', '10')
      .option('--include-seen', 'also rank items the user already interacted with'),
  ).action(async (run: string, flags: RecommendFlags) => {
    await runCommand(
      'recommend',
      { run: Number(run), user: flags.user, k: Number(flags.k), includeSeen: flags.includeSeen === true },
      commonOptions(flags),
      {
        text: (r) =>
          [
            `run ${r.run} (${r.model}), user ${r.user} after ${count(r.history)} items:`,
            ...r.recommendations.map(
              (x, i) =>
                `  ${String(i + 1).padStart(3)}. ${x.score.toFixed(4)}  ${x.item}${x.label ? `  ${x.label}` : ''}`,
            ),
          ].join('\n'),
      },
    );
  });

  withCommonOptions(
    commandGroup(program, 'bench', 'benchmarks that print machine-readable results')
      .command('bert4rec')
      .description(
        'training sequences/s of a preset on a generated log (or a dataset), next to the engine benchmark',
      )
      .addOption(
        new Option('--preset <name>', 'the settings to time').choices(presetNames).default('paper-ml'),
      )
      .option('--set <key=value>', 'override a setting, e.g. short_len=16 (repeatable)', setting)
      .option('--dataset <name>', 'time batches of this interaction-log dataset instead of a generated log')
      .option('--steps <n>', 'timed steps', '10')
      .option('--warmup <n>', 'untimed steps first', '2')
      .option('--users <n>', 'users of the generated log', '2000')
      .option('--threads <n>', 'intra-op threads (default: all cores)')
      .option('--no-engine', 'skip the engine benchmark'),
  ).action(async (flags: BenchFlags) => {
    await runCommand(
      'bench.bert4rec',
      {
        preset: flags.preset,
        settings: flags.set ?? {},
        dataset: flags.dataset,
        steps: Number(flags.steps),
        warmup: Number(flags.warmup),
        users: Number(flags.users),
        threads: optionalNumber(flags.threads),
        engine: flags.engine,
      },
      commonOptions(flags),
      {
        text: (r) =>
          [
            `bert4rec ${r.preset} on ${r.dataset}: ${r.sequences_per_s.toFixed(1)} sequences/s (${r.ms_per_step.toFixed(0)} ms per step) on ${r.device} x${r.threads}`,
            ...r.shapes.map(
              (s) =>
                `  step ${s.batch} x ${s.length}, ${s.predictions} predictions: ${s.timed_steps} of the timed steps`,
            ),
            ...(r.engine
              ? [
                  `engine step:       ${r.engine.sequences_per_s.toFixed(1)} sequences/s (${r.engine.ms_per_step.toFixed(0)} ms per step of ${r.engine.batch})`,
                ]
              : []),
            `load average ${r.load_average}, CPU ${seconds(r.cpu_seconds)}`,
          ].join('\n'),
      },
    );
  });
}
