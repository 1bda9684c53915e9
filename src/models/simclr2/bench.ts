// SimCLR v2's table at small scale (the paper's Table 2 / Figure 1 question): for each labelled
// fraction, a SimCLR run's encoder fine-tuned on that fraction, the same network trained from
// scratch on the same labels (the supervised baseline), and the fine-tuned teacher distilled into
// a half-width student on every training image without labels. Each is an ordinary run in the
// workspace, so it can be evaluated, compared and explored afterwards.
//
// Defaults are sized for Fashion-MNIST (54 000 training images after SimCLR's validation part,
// 10 000 test) on 2 CPU cores, the whole table in well under an hour. Measured on this shared
// machine (one thread, batch 64, 28 x 28): the fashion preset's network trained 594 images per
// CPU second and classified 3 298; its half-width student trained 1 043 and classified 5 517. The
// limits below assume 400 and 700 training images/s on 2 cores, a third of twice those, so a
// slower machine gets its runs cut by time rather than the table running long:
// - fine-tuning (both inits): round(1 / fraction) epochs, within [3, 60] (60 at 1 %: 32 400
//   images; 10 at 10 %: 54 000; 3 at 100 %: 162 000), patience as long (the whole cosine schedule
//   runs; the best epoch on the fraction's validation labels is kept), time limit the planned
//   images at 400 images/s (81, 135 and 405 s);
// - distillation: 3 epochs over the 54 000 images, time limit at 700 images/s (232 s); from half
//   the labels on, 8 epochs (618 s) with the label loss mixed in at weight 0.5, as the paper does
//   where labelled examples are many: at 100 % three epochs on the teacher's outputs alone left
//   the student 2.07 points below its teacher, eight with label weight 0.5 0.46 (teacher run 25).
// That is 39 minutes of training at most for 0.01, 0.1 and 1. The evaluation passes add about
// 750 000 images through the teacher-size network and 320 000 through the student (each run
// classifies the test images and stores all 70 000 representations; each distillation first takes
// the teacher's logits of all of them): a few minutes at the speeds above, so about 45 minutes for
// the table when every limit is reached.
import { z } from 'zod';
import type { DeviceChoice } from '../../onnx/runtime/devices.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import type { SimclrConfig } from '../simclr/config.ts';
import type { SimclrData } from '../simclr/train.ts';
import { distillKeys, finetuneKeys, resolveDistillConfig, resolveFinetuneConfig } from './config.ts';
import { trainDistill } from './distill.ts';
import { type ClassifierProgress, storedRun, trainFinetune } from './finetune.ts';

export interface Simclr2BenchRequest {
  /** the SimCLR run (v2: trained with train simclr2) whose encoder every row fine-tunes */
  pretrained: number;
  fractions: number[];
  /** overrides of the fine-tuning and distillation settings (a key goes to each that has it) */
  settings: Record<string, unknown>;
  device: DeviceChoice;
  threads?: number;
  onProgress?(progress: Simclr2BenchProgress): void;
  signal?: AbortSignal;
}

export interface Simclr2BenchProgress extends ClassifierProgress {
  fraction: number;
  stage: 'finetune' | 'supervised' | 'distill';
}

export interface Simclr2BenchRow {
  fraction: number;
  /** labels the fine-tuning used: its part of the training images and of the validation images */
  labels: number;
  finetuned_top1: number;
  supervised_top1: number;
  /** finetuned_top1 - supervised_top1 */
  gain: number;
  student_top1: number;
  teacher_top1: number;
  /** test images where the student's class is the teacher's */
  agreement: number;
  finetuned_run: number;
  supervised_run: number;
  student_run: number;
  /** wall seconds of the row's three runs */
  seconds: number;
}

export interface Simclr2BenchResult {
  pretrained: number;
  head_layers: number;
  rows: Simclr2BenchRow[];
  seconds: number;
}

/** Images per second below which a run's time limit stops it (half the 2-core speeds above). */
const finetuneFloor = 400;
const distillFloor = 700;
/** no limit shorter than this: on a small dataset start-up and validation dominate */
const shortestLimit = 30;

/** The bench's settings for one fraction, before the user's overrides. */
export function benchDefaults(fraction: number, trainImages: number, poolImages: number) {
  const epochs = Math.min(60, Math.max(3, Math.round(1 / fraction)));
  const labelled = Math.max(1, Math.round(fraction * trainImages));
  const manyLabels = fraction >= 0.5;
  const distillEpochs = manyLabels ? 8 : 3;
  return {
    finetune: {
      fraction,
      epochs,
      patience: epochs,
      time_limit_s: Math.max(shortestLimit, Math.ceil((epochs * labelled) / finetuneFloor)),
    },
    distill: {
      epochs: distillEpochs,
      patience: distillEpochs,
      label_weight: manyLabels ? 0.5 : 0,
      time_limit_s: Math.max(shortestLimit, Math.ceil((distillEpochs * poolImages) / distillFloor)),
    },
  };
}

/**
 * The user's overrides split by the runs that take them (a key goes to each run whose settings
 * have it), each checked against its schema; fraction and init are the bench's own. A ZodError
 * names each bad key.
 */
export function benchOverrides(settings: Record<string, unknown>) {
  const ownKeys = ['fraction', 'init'];
  const keys = [...new Set<string>([...finetuneKeys, ...distillKeys])].filter((k) => !ownKeys.includes(k));
  const bad = Object.keys(settings).filter((key) => !keys.includes(key));
  if (bad.length > 0) {
    throw new z.ZodError(
      bad.map((key) => ({
        code: 'custom' as const,
        path: [key],
        message: ownKeys.includes(key)
          ? 'the bench sets it for each row (fractions lists the fractions; each row trains both inits)'
          : `unknown setting; the settings are ${keys.join(', ')}`,
        input: settings[key],
      })),
    );
  }
  const only = (names: readonly string[]) =>
    Object.fromEntries(Object.entries(settings).filter(([key]) => names.includes(key)));
  const finetune = only(finetuneKeys);
  const distill = only(distillKeys);
  resolveFinetuneConfig(finetune);
  resolveDistillConfig(distill);
  return { finetune, distill };
}

export async function benchSimclr2(
  workspace: Workspace,
  request: Simclr2BenchRequest,
): Promise<Simclr2BenchResult> {
  const started = performance.now();
  const { config } = storedRun<SimclrConfig & { data: SimclrData }>(
    workspace,
    request.pretrained,
    ['simclr'],
    'the SimCLR v2 bench',
  );
  const overrides = benchOverrides(request.settings);
  // every fraction's settings are checked before the first run starts
  const plans = request.fractions.map((fraction) => {
    const defaults = benchDefaults(fraction, config.data.split.train, config.data.train_images);
    return {
      fraction,
      finetune: resolveFinetuneConfig({ ...defaults.finetune, ...overrides.finetune }),
      distill: resolveDistillConfig({ ...defaults.distill, ...overrides.distill }),
    };
  });
  const common = { device: request.device, threads: request.threads, signal: request.signal };
  const rows: Simclr2BenchRow[] = [];
  for (const plan of plans) {
    const rowStarted = performance.now();
    const report = (stage: Simclr2BenchProgress['stage']) => (p: ClassifierProgress) =>
      request.onProgress?.({ ...p, fraction: plan.fraction, stage });
    const finetuned = await trainFinetune(workspace, {
      ...common,
      from: request.pretrained,
      config: plan.finetune,
      onProgress: report('finetune'),
    });
    const supervised = await trainFinetune(workspace, {
      ...common,
      from: request.pretrained,
      config: { ...plan.finetune, init: 'scratch' },
      onProgress: report('supervised'),
    });
    const student = await trainDistill(workspace, {
      ...common,
      teacher: finetuned.run,
      config: plan.distill,
      onProgress: report('distill'),
    });
    rows.push({
      fraction: plan.fraction,
      labels: finetuned.data.labelled + finetuned.data.labelled_validation,
      finetuned_top1: finetuned.top1,
      supervised_top1: supervised.top1,
      gain: finetuned.top1 - supervised.top1,
      student_top1: student.top1,
      teacher_top1: student.teacher_top1,
      agreement: student.agreement,
      finetuned_run: finetuned.run,
      supervised_run: supervised.run,
      student_run: student.run,
      seconds: (performance.now() - rowStarted) / 1000,
    });
  }
  return {
    pretrained: request.pretrained,
    head_layers: config.head_layers,
    rows,
    seconds: (performance.now() - started) / 1000,
  };
}
