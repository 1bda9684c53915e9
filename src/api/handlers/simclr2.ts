import { resolve } from 'node:path';
import { runJob } from '../../jobs/run-job.ts';
import { simclrTrainJob } from '../../models/simclr/jobs.ts';
import { benchOverrides } from '../../models/simclr2/bench.ts';
import {
  resolveDistillConfig,
  resolveFinetuneConfig,
  resolvePretrainConfig,
} from '../../models/simclr2/config.ts';
import { benchJob, distillJob, finetuneJob } from '../../models/simclr2/jobs.ts';
import type { RunOutcome } from '../../models/training-loop.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';
import { refusal } from './refusal.ts';
import { imageTrainingErrors, trainingHandler } from './training-job.ts';

// Bad settings are answered in each handler, as invalid input, before a thread starts.

export const trainSimclr2Command: Handler<'train.simclr2'> = trainingHandler(
  'train.simclr2',
  simclrTrainJob,
  (input) => resolvePretrainConfig(input.preset, input.settings),
  imageTrainingErrors,
);

export const finetuneEvalCommand: Handler<'eval.finetune'> = async (
  input,
  { workspace, progress, signal },
) => {
  const config = resolveFinetuneConfig(input.settings);
  settingsOfResume('eval.finetune', input);
  try {
    const r = await runJob(
      finetuneJob,
      {
        workspace: resolve(workspace),
        from: input.run,
        config,
        resume: input.resume,
        device: input.device,
        threads: input.threads,
      },
      { onProgress: progress, signal, graceMs: 60_000 },
    );
    const { data, test } = r;
    return {
      protocol: 'finetune' as const,
      run: input.run,
      model: 'simclr' as const,
      finetuned_run: r.run,
      init: r.config.init,
      fraction: r.config.fraction,
      labels: data.labelled + data.labelled_validation,
      labelled_train: data.labelled,
      labelled_validation: data.labelled_validation,
      labelled_per_class: data.labelled_per_class,
      pretrained_parameters: data.pretrained_parameters,
      weights: data.weights,
      representation_dim: data.representation_dim,
      validation_top1: r.validation_score,
      split: 'test' as const,
      ...test,
      ...runFigures(r),
    };
  } catch (error) {
    throw refusal(error, 'eval.finetune', imageTrainingErrors);
  }
};

/** A resumed run trains on with its own settings: new ones are refused rather than ignored. */
function settingsOfResume(command: string, input: { resume?: number; settings: Record<string, unknown> }) {
  const given = Object.keys(input.settings);
  if (input.resume !== undefined && given.length > 0) {
    throw new ApiError({
      code: 'invalid-input',
      command,
      message: `run ${input.resume} resumes with its own settings; leave out ${given.join(', ')}`,
    });
  }
}

/** How a fine-tuning or distillation run went, as both commands report it. */
function runFigures<R extends RunOutcome & { images_per_s: number; embeddings: number }>(r: R) {
  const { seconds, cpu_seconds, device, epochs, steps, best_epoch, stopped, images_per_s, embeddings } = r;
  return { seconds, cpu_seconds, device, epochs, steps, best_epoch, stopped, images_per_s, embeddings };
}

export const distillCommand: Handler<'distill'> = async (input, { workspace, progress, signal }) => {
  const config = resolveDistillConfig(input.settings);
  settingsOfResume('distill', input);
  try {
    const r = await runJob(
      distillJob,
      {
        workspace: resolve(workspace),
        teacher: input.teacher,
        config,
        resume: input.resume,
        device: input.device,
        threads: input.threads,
      },
      { onProgress: progress, signal, graceMs: 60_000 },
    );
    return {
      run: r.run,
      model: r.model,
      teacher: r.teacher,
      simclr_run: r.data.simclr_run,
      teacher_top1: r.teacher_top1,
      agreement: r.agreement,
      validation_agreement: r.validation_score,
      temperature: r.config.temperature,
      label_weight: r.config.label_weight,
      labels: r.data.labelled,
      student_width: r.student_width,
      teacher_width: r.teacher_width,
      student_weights: r.student_weights,
      teacher_weights: r.teacher_weights,
      split: 'test' as const,
      ...r.test,
      ...runFigures(r),
    };
  } catch (error) {
    throw refusal(error, 'distill', imageTrainingErrors);
  }
};

export const benchSimclr2Command: Handler<'bench.simclr2'> = async (
  input,
  { workspace, progress, signal },
) => {
  benchOverrides(input.settings);
  try {
    return await runJob(
      benchJob,
      {
        workspace: resolve(workspace),
        pretrained: input.pretrained,
        fractions: input.fractions,
        settings: input.settings,
        device: input.device,
        threads: input.threads,
      },
      { onProgress: progress, signal, graceMs: 60_000 },
    );
  } catch (error) {
    throw refusal(error, 'bench.simclr2', imageTrainingErrors);
  }
};
