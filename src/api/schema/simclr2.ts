// SimCLR v2 (Chen et al., NeurIPS 2020): pretraining with the 3-layer projection head, fine-tuning
// from the head's first layer on a labelled fraction, distillation of the fine-tuned teacher into
// a smaller student on unlabelled images, and the bench that makes the paper's table of the three.
import { z } from 'zod';
import { SimclrTraining } from './simclr.ts';
import { ClassifierTest, Device, Settings, Threads, trainingFigures, trainingProgress } from './training.ts';

const RunId = z.number().int().positive();
const Fraction = z.number().gt(0).max(1);

const TestFigures = { split: z.literal('test'), ...ClassifierTest };

const Progress = trainingProgress('images_per_s');

export const simclr2Commands = {
  'train.simclr2': {
    description:
      "Pretrain a SimCLR v2 image encoder without labels: SimCLR's training (two augmented views, NT-Xent, LARS) with v2's 3-layer projection head, whose first layer fine-tuning starts from",
    ...SimclrTraining,
  },
  'eval.finetune': {
    description:
      "SimCLR v2 fine-tuning of a SimCLR run: its encoder and the first layer of its projection head plus a linear classifier, trained on a labelled fraction of its training images (init scratch: the same network from random values, the supervised baseline); stored as a run, top-1 and confusion on the SimCLR run's test split",
    input: z.object({
      /** the SimCLR run whose encoder is fine-tuned */
      run: RunId,
      /** fine-tuning settings: fraction (0.1 unless given), init, lr, epochs, batch_size... */
      settings: Settings,
      /** a stopped fine-tuning of this run to continue from its last checkpoint (its own settings apply) */
      resume: RunId.optional(),
      device: Device.default('auto'),
      threads: Threads,
    }),
    output: z.object({
      protocol: z.literal('finetune'),
      /** the SimCLR run evaluated */
      run: z.number().int(),
      model: z.literal('simclr'),
      /** the fine-tuning's own run */
      finetuned_run: z.number().int(),
      init: z.enum(['pretrained', 'scratch']),
      fraction: z.number(),
      /** labels used: the fraction of the training images and of the validation images */
      labels: z.number().int(),
      labelled_train: z.number().int(),
      labelled_validation: z.number().int(),
      labelled_per_class: z.array(z.number().int()),
      /** parameter tensors taken from the SimCLR run (0 from scratch) */
      pretrained_parameters: z.number().int(),
      /** learned values of the network */
      weights: z.number().int(),
      representation_dim: z.number().int(),
      /** the best epoch's top-1 on the labelled validation images */
      validation_top1: z.number(),
      ...TestFigures,
      ...trainingFigures('images_per_s'),
      embeddings: z.number().int(),
    }),
    progress: Progress,
  },
  distill: {
    description:
      "SimCLR v2 distillation: a student (the teacher's network at a lower ResNet width) trained from scratch on a fine-tuned teacher's temperature-scaled outputs over every training image, labelled or not (optionally mixed with the teacher's labels); stored as a run, the student's and the teacher's test top-1",
    input: z.object({
      /** a fine-tuned run (eval RUN --protocol finetune) */
      teacher: RunId,
      /** distillation settings: student_width, temperature, label_weight, lr, epochs, batch_size... */
      settings: Settings,
      /** a stopped distillation of this teacher to continue from its last checkpoint (its own settings apply) */
      resume: RunId.optional(),
      device: Device.default('auto'),
      threads: Threads,
    }),
    output: z.object({
      /** the student's run */
      run: z.number().int(),
      model: z.literal('simclr2-distill'),
      teacher: z.number().int(),
      /** the SimCLR run whose images and split both use */
      simclr_run: z.number().int(),
      teacher_top1: z.number(),
      /** test images where the student's class is the teacher's */
      agreement: z.number(),
      /** the best epoch's agreement with the teacher on the validation images (no labels) */
      validation_agreement: z.number(),
      temperature: z.number(),
      label_weight: z.number(),
      /** labelled images in the label loss (0 when label_weight is 0) */
      labels: z.number().int(),
      student_width: z.number().int(),
      teacher_width: z.number().int(),
      student_weights: z.number().int(),
      teacher_weights: z.number().int(),
      ...TestFigures,
      ...trainingFigures('images_per_s'),
      embeddings: z.number().int(),
    }),
    progress: Progress,
  },
  'bench.simclr2': {
    description:
      "SimCLR v2's table for a pretrained SimCLR run: per labelled fraction, fine-tuned and supervised-from-scratch top-1, the gain, and the distilled student's top-1 beside its teacher's; every run stored in the workspace",
    input: z.object({
      pretrained: RunId,
      fractions: z.array(Fraction).min(1).default([0.01, 0.1, 1]),
      /** overrides of the bench's fine-tuning and distillation settings (each key to the runs that take it) */
      settings: Settings,
      device: Device.default('auto'),
      threads: Threads,
    }),
    output: z.object({
      pretrained: z.number().int(),
      head_layers: z.number().int(),
      rows: z.array(
        z.object({
          fraction: z.number(),
          labels: z.number().int(),
          finetuned_top1: z.number(),
          supervised_top1: z.number(),
          gain: z.number(),
          student_top1: z.number(),
          teacher_top1: z.number(),
          agreement: z.number(),
          finetuned_run: z.number().int(),
          supervised_run: z.number().int(),
          student_run: z.number().int(),
          seconds: z.number(),
        }),
      ),
      seconds: z.number(),
    }),
    progress: Progress.extend({
      fraction: z.number(),
      stage: z.enum(['finetune', 'supervised', 'distill']),
    }),
  },
} as const;
