import { type Command, InvalidArgumentError, Option } from 'commander';
import { type CommonFlags, commonOptions, withCommonOptions } from '../common-options.ts';
import { count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';

interface EvalFlags extends CommonFlags {
  task?: 'node-classification' | 'clustering';
  protocol?: 'pop100' | 'uniform100' | 'full' | 'supervised';
  type?: string;
  repeats?: string;
  seed?: string;
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
          "recommendation runs: rank each user's held-out item among 100 popularity-sampled, 100 uniform or all unseen items; classifier runs: supervised (top-1 and confusion on the test split)",
        ).choices(['pop100', 'uniform100', 'full', 'supervised']),
      )
      .option('--type <type>', 'the labelled entity type (default: the one with most labelled embeddings)')
      .option('--repeats <n>', 'random splits per train fraction, or k-means seeds', '10')
      .option('--seed <n>', 'first seed of the splits / k-means initialisations', '0'),
  ).action(async (run: string, flags: EvalFlags) => {
    if (flags.protocol === 'supervised') {
      await evalSupervised(Number(run), flags);
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
