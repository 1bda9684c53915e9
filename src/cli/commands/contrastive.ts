import type { Command } from 'commander';
import { presetNames } from '../../models/contrastive/config.ts';
import { commonOptions } from '../common-options.ts';
import { count, seconds } from '../format.ts';
import { runCommand } from '../run-command.ts';
import {
  type TrainingFlags,
  trainingCommand,
  trainingInput,
  trainingProgressLine,
} from '../training-command.ts';

const percent = (x: number) => `${(100 * x).toFixed(2)} %`;

/** `train contrastive-pairs`. */
export function registerContrastive(program: Command): void {
  trainingCommand(program, {
    name: 'contrastive-pairs',
    description:
      'a Siamese image encoder trained with the contrastive pair loss (Hadsell et al. 2006) on same-class / other-class pairs',
    dataset: 'the images dataset',
    presets: presetNames,
    preset: 'quick',
    setHelp: 'override a setting, e.g. margin=2, dim=64, epochs=30 (repeatable)',
  }).action(async (flags: TrainingFlags<(typeof presetNames)[number]>) => {
    await runCommand('train.contrastive-pairs', trainingInput(flags), commonOptions(flags), {
      progress: trainingProgressLine('pairs_per_s', 'pairs/s'),
      text: (r) =>
        [
          `run ${r.run} (contrastive-pairs) in ${seconds(r.seconds)} on ${r.device}: ${r.epochs} epochs, ${count(r.steps)} steps, best epoch ${r.best_epoch}, stopped by ${r.stopped}, ${Math.round(r.pairs_per_s)} pairs/s`,
          `  images ${r.data.image_size} x ${r.data.image_size} x ${r.data.channels}, ${r.data.batch} pairs a step; ${r.data.resized} resized, ${r.data.converted} converted`,
          `  split (${r.data.split.test_from} test): ${count(r.data.split.train)} train, ${count(r.data.split.validation)} validation, ${count(r.data.split.test)} test`,
          `  k-NN top-1 (k ${r.data.knn_k}): validation ${percent(r.validation_knn_top1)}, test ${percent(r.test_knn_top1)}; ${count(r.embeddings)} image embeddings stored`,
        ].join('\n'),
    });
  });
}
