// Trainable models as the UI sees them: each model's settings as JSON Schema (generated from the
// one zod schema that also validates the CLI's --set pairs and what a run stores), with its presets.
import { z } from 'zod';
import { DatasetKind } from './datasets.ts';

/** An input a model needs besides its settings (metapath2vec's meta-paths). */
export const ModelInput = z.object({
  key: z.string(),
  label: z.string(),
  help: z.string(),
  /** one value per line */
  kind: z.literal('lines'),
  required: z.boolean(),
});
export type ModelInput = z.infer<typeof ModelInput>;

export const ModelDescriptor = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** the dataset kinds it trains on */
  datasetKinds: z.array(DatasetKind),
  /** the model names its runs record (BERT4Rec's baselines record sasrec, popularity) */
  runModels: z.array(z.string()),
  /** JSON Schema (draft 2020-12) of the settings object */
  configSchema: z.record(z.string(), z.unknown()),
  presets: z.record(z.string(), z.record(z.string(), z.unknown())),
  defaultPreset: z.string(),
  inputs: z.array(ModelInput),
  /** a stopped run can continue from its last checkpoint */
  resumable: z.boolean(),
  /** it reports a training loss while it trains (curves) */
  reportsLoss: z.boolean(),
});
export type ModelDescriptor = z.infer<typeof ModelDescriptor>;

export const ProviderStatus = z.object({
  provider: z.string(),
  works: z.boolean(),
  /** runs on a software rasteriser: the GPU code path, slower than the CPU */
  software: z.boolean(),
  /** what it runs on, or why it is unavailable */
  reason: z.string(),
});

export const modelCommands = {
  'models.list': {
    description: 'The trainable models with their settings schema (JSON Schema) and presets',
    input: z.object({}),
    output: z.object({ models: z.array(ModelDescriptor) }),
    progress: z.never(),
  },
  'devices.probe': {
    description: 'The execution providers of this machine: which work, and why the others do not',
    input: z.object({}),
    output: z.object({
      platform: z.string(),
      arch: z.string(),
      cores: z.number().int(),
      onnxruntime: z.string(),
      providers: z.array(ProviderStatus),
    }),
    progress: z.never(),
  },
} as const;
