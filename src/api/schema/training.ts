// What every model's training command shares: its input (a dataset, a preset of the model, overrides,
// a device, threads, a run to resume), the figures a finished training reports, the block an image
// model reports about its data, and the progress events. Each model's output stays in its own file.
import { z } from 'zod';

/** Where the model runs; auto takes the best execution provider this machine has. */
export const Device = z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']);

/** ONNX Runtime's intra-op threads; all cores when absent. */
export const Threads = z.number().int().min(1).max(256).optional();

/** Overrides of a preset or of a run's settings, checked by the model's schema (unknown keys are refused). */
export const Settings = z.record(z.string(), z.unknown()).default({});

/** A training command's input: `presets` are the model's preset names, `preset` the one taken when none is given. */
export function trainingInput<const P extends readonly [string, ...string[]]>(presets: P, preset: P[number]) {
  return z.object({
    dataset: z.string().min(1),
    preset: z.enum(presets).default(preset),
    settings: Settings,
    device: Device.default('auto'),
    threads: Threads,
    /** continue this cancelled run from its last checkpoint */
    resume: z.number().int().positive().optional(),
  });
}

/** What a finished training reports about itself; `rate` names its throughput (images_per_s, clips_per_s...). */
export function trainingFigures<const R extends string>(rate: R) {
  return {
    seconds: z.number(),
    cpu_seconds: z.number(),
    device: z.string(),
    epochs: z.number().int(),
    steps: z.number().int(),
    best_epoch: z.number().int(),
    stopped: z.enum(['epochs', 'patience', 'time']),
    ...({ [rate]: z.number() } as Record<R, z.ZodNumber>),
  };
}

/** The images (or clips) an image model read, its split and how they were prepared; models add their sizes. */
export const ImageData = {
  channels: z.number().int(),
  image_size: z.number().int(),
  classes: z.array(z.string()),
  normalisation: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
  split: z.object({
    train: z.number().int(),
    validation: z.number().int(),
    test: z.number().int(),
    test_from: z.enum(['dataset', 'stratified']),
    unlabelled: z.number().int(),
    classes: z.number().int(),
  }),
  batch: z.number().int(),
  resized: z.number().int(),
  converted: z.number().int(),
};

/** A classifier's figures on its test split. */
export const ClassifierTest = {
  top1: z.number(),
  images: z.number().int(),
  classes: z.array(z.string()),
  /** confusion[true][predicted] counts, classes in `classes` order */
  confusion: z.array(z.array(z.number().int())),
  per_class_top1: z.array(z.number()),
};

const phases = ['loading', 'training', 'validation', 'test', 'storing'] as const;
/** Trainers that score only on validation (k-NN top-1) and leave the test split to eval commands. */
export const withoutTestPhase = ['loading', 'training', 'validation', 'storing'] as const;

/** A training's progress events; `rate` names its throughput, as in its figures. */
export function trainingProgress<
  const R extends string,
  const F extends readonly [string, ...string[]] = typeof phases,
>(rate: R, phase: F = phases as unknown as F) {
  return z.object({
    phase: z.enum(phase),
    epoch: z.number().int(),
    step: z.number().int(),
    loss: z.number().optional(),
    lr: z.number().optional(),
    ...({ [rate]: z.number().optional() } as Record<R, z.ZodOptional<z.ZodNumber>>),
    eta_s: z.number().optional(),
    done: z.number().optional(),
    total: z.number().optional(),
  });
}
