import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  type CommonFlags,
  commonOptions,
  optionalNumber,
  setting,
  withCommonOptions,
} from '../common-options.ts';
import { count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';
import { evalFinetune } from './simclr.ts';

interface EvalFlags extends CommonFlags {
  task?: 'node-classification' | 'clustering';
  protocol?: 'pop100' | 'uniform100' | 'full' | 'supervised' | 'linear' | 'knn' | 'finetune';
  type?: string;
  k?: string;
  temperature?: string;
  repeats?: string;
  seed?: string;
  set?: Record<string, unknown>;
  resume?: string;
  device: 'auto' | 'cpu' | 'webgpu' | 'cuda' | 'dml' | 'coreml';
  threads?: string;
}

interface NeighbourFlags extends CommonFlags {
  entity: string;
  entityType?: string;
  type?: string;
  k: string;
}

const percent = (x: number) => `${(100 * x).toFixed(2)}`;

/** `constellation eval RUN` and `constellation neighbours RUN`. */
export function registerEval(program: Command): void {
  withCommonOptions(
    program
      .command('eval')
      .description("measure a run's embeddings against the class labels of one entity type")
      .argument('<run>', 'run id')
      .addOption(
        new Option('--task <task>', 'what to measure').choices(['node-classification', 'clustering']),
      )
      .addOption(
        new Option(
          '--protocol <protocol>',
          "recommendation runs: rank each user's held-out item among 100 popularity-sampled, 100 uniform or all unseen items; classifier runs: supervised (top-1 and confusion on the test split); image runs: linear (logistic regression on the frozen representations) or knn (weighted k-NN); SimCLR runs: finetune (SimCLR v2: encoder and the head's first layer fine-tuned on a labelled fraction, stored as a run)",
        ).choices(['pop100', 'uniform100', 'full', 'supervised', 'linear', 'knn', 'finetune']),
      )
      .option('--k <n>', 'knn: neighbours voting (default 200, or 20 under 2000 training images)')
      .option('--temperature <t>', 'knn: τ of the exp(similarity / τ) vote weights', '0.1')
      .option('--type <type>', 'the labelled entity type (default: the one with most labelled embeddings)')
      .option('--repeats <n>', 'random splits per train fraction, or k-means seeds', '10')
      .option('--seed <n>', 'first seed of the splits / k-means initialisations', '0')
      .option(
        '--set <key=value>',
        'finetune: a fine-tuning setting, e.g. fraction=0.01, init=scratch, epochs=60, lr=0.001 (repeatable)',
        setting,
      )
      .option('--resume <run>', 'finetune: continue a stopped fine-tuning of RUN with its own settings')
      .addOption(
        new Option('--device <device>', 'finetune: execution provider')
          .choices(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'])
          .default('auto'),
      )
      .option('--threads <n>', 'finetune: intra-op threads (default: all cores)'),
  ).action(async (run: string, flags: EvalFlags) => {
    if (flags.protocol === 'finetune') {
      await evalFinetune(Number(run), flags);
      return;
    }
    if (flags.set || flags.resume)
      throw new InvalidArgumentError('--set and --resume apply to --protocol finetune');
    if (flags.protocol === 'supervised') {
      await evalSupervised(Number(run), flags);
      return;
    }
    if (flags.protocol === 'linear' || flags.protocol === 'knn') {
      await evalImageProtocol(Number(run), flags.protocol, flags);
      return;
    }
    if (flags.protocol) {
      await evalRanking(Number(run), flags.protocol, flags);
      return;
    }
    if (!flags.task)
      throw new InvalidArgumentError('give --task (embeddings) or --protocol (recommendation runs)');
    await runCommand(
      'eval.run',
      {
        run: Number(run),
        task: flags.task,
        type: flags.type,
        repeats: Number(flags.repeats),
        seed: Number(flags.seed),
      },
      commonOptions(flags),
      {
        progress: (p) => `evaluating: ${p.done} / ${p.total}`,
        text: (r) => {
          const head = `run ${r.run}, ${count(r.labelled)} labelled ${r.type} (${r.classes.join(', ')}), ${seconds(r.seconds)}`;
          if (r.task === 'clustering') {
            return `${head}\n  k-means k=${r.k} over ${r.seeds} seeds: NMI ${r.nmi.toFixed(4)} ± ${r.nmi_std.toFixed(4)}, ARI ${r.ari.toFixed(4)} ± ${r.ari_std.toFixed(4)}`;
          }
          return [
            head,
            `  train %   Macro-F1         Micro-F1   (${r.splits} splits)`,
            ...r.results.map(
              (f) =>
                `  ${String(Math.round(f.train_fraction * 100)).padStart(6)}   ${percent(f.macro_f1)} ± ${percent(f.macro_f1_std)}   ${percent(f.micro_f1)} ± ${percent(f.micro_f1_std)}`,
            ),
          ].join('\n');
        },
      },
    );
  });

  withCommonOptions(
    program
      .command('neighbours')
      .description('the entities closest (cosine) to one entity in a run')
      .argument('<run>', 'run id')
      .requiredOption('--entity <key>', "the entity's key")
      .option('--entity-type <type>', "the entity's type, when its key exists in several types")
      .option('--type <type>', 'only neighbours of this type')
      .option('--k <n>', 'how many', '10'),
  ).action(async (run: string, flags: NeighbourFlags) => {
    await runCommand(
      'eval.neighbours',
      {
        run: Number(run),
        entity: flags.entity,
        entityType: flags.entityType,
        type: flags.type,
        k: Number(flags.k),
      },
      commonOptions(flags),
      {
        text: (r) =>
          [
            `closest to ${r.entity.type} ${r.entity.key} in run ${r.run}:`,
            ...r.neighbours.map(
              (n) =>
                `  ${n.similarity.toFixed(4)}  ${n.type.padEnd(8)} ${n.key}${n.label ? `  ${n.label}` : ''}`,
            ),
          ].join('\n'),
      },
    );
  });
}

/** `eval RUN --protocol P`: HR@k, NDCG@k and MRR of a recommendation run. */
async function evalRanking(run: number, protocol: 'pop100' | 'uniform100' | 'full', flags: EvalFlags) {
  await runCommand('eval.ranking', { run, protocol }, commonOptions(flags), {
    progress: (p) => `ranking: ${p.done} / ${p.total} users`,
    text: (r) =>
      [
        `run ${r.run} (${r.model}), ${protocol}: ${count(r.users)} users (${count(r.excluded_users)} with < 3 interactions left out), ${seconds(r.seconds)}`,
        `  HR@1 ${r['HR@1'].toFixed(4)}  HR@5 ${r['HR@5'].toFixed(4)}  HR@10 ${r['HR@10'].toFixed(4)}  NDCG@5 ${r['NDCG@5'].toFixed(4)}  NDCG@10 ${r['NDCG@10'].toFixed(4)}  MRR ${r.MRR.toFixed(4)}`,
      ].join('\n'),
  });
}

/** `eval RUN --protocol supervised`: top-1 and the confusion matrix of a classifier run. */
async function evalSupervised(run: number, flags: EvalFlags) {
  await runCommand('eval.supervised', { run }, commonOptions(flags), {
    progress: (p) => `classifying: ${p.done} / ${p.total} images`,
    text: (r) =>
      [
        `run ${r.run} (${r.model}), supervised on ${count(r.images)} test images, ${seconds(r.seconds)}: top-1 ${percent(r.top1)} %`,
        ...r.classes.map(
          (c, i) =>
            `  ${c.padEnd(12)} ${percent(r.per_class_top1[i]).padStart(6)} %  ${r.confusion[i].join(' ')}`,
        ),
      ].join('\n'),
  });
}

/** Test top-1 and per-class recall with the confusion row, as both image protocols print them. */
function testTable(r: { classes: string[]; per_class_top1: number[]; confusion: number[][] }): string[] {
  return r.classes.map(
    (c, i) => `  ${c.padEnd(12)} ${percent(r.per_class_top1[i]).padStart(6)} %  ${r.confusion[i].join(' ')}`,
  );
}

/** `eval RUN --protocol linear | knn`: an image run's frozen representations on its test split. */
async function evalImageProtocol(run: number, protocol: 'linear' | 'knn', flags: EvalFlags) {
  if (protocol === 'linear') {
    await runCommand('eval.linear', { run }, commonOptions(flags), {
      progress: (p) => `fitting: ${p.done} / ${p.total} values of C`,
      text: (r) =>
        [
          `run ${r.run} (${r.model}), linear protocol on ${count(r.images)} test images (${count(r.train)} training, dim ${r.dim}), ${seconds(r.seconds)}: top-1 ${percent(r.top1)} %`,
          `  C ${r.c} chosen on validation (top-1 ${percent(r.validation_top1)} %; ${r.grid.map((g) => `${g.c}: ${percent(g.validation_top1)}`).join(', ')})`,
          ...testTable(r),
        ].join('\n'),
    });
    return;
  }
  await runCommand(
    'eval.knn',
    {
      run,
      k: optionalNumber(flags.k),
      temperature: Number(flags.temperature),
    },
    commonOptions(flags),
    {
      progress: (p) => `k-NN: ${p.done} / ${p.total} test images`,
      text: (r) =>
        [
          `run ${r.run} (${r.model}), k-NN (k ${r.k}, τ ${r.temperature}) on ${count(r.images)} test images against ${count(r.train)} training images (dim ${r.dim}), ${seconds(r.seconds)}: top-1 ${percent(r.top1)} %`,
          ...testTable(r),
        ].join('\n'),
    },
  );
}
