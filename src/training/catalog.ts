// The trainable models behind train.start and models.list: for each, the one zod schema of its
// settings (exported to the UI as JSON Schema), its presets, and how a run of it is started. The
// trainers report progress in their own words; each entry maps that onto the API's TrainingProgress.
import { z } from 'zod';
import type { ModelDescriptor } from '../api/schema/models.ts';
import type { TrainingProgress } from '../api/schema/train.ts';
import {
  Bert4RecConfig,
  presets as bert4recPresets,
  resolveConfig as resolveBert4Rec,
} from '../models/bert4rec/config.ts';
import { type TrainProgress as Bert4RecProgress, trainBert4Rec } from '../models/bert4rec/train.ts';
import {
  Metapath2vecConfig,
  presets as metapath2vecPresets,
  resolveConfig as resolveMetapath2vec,
} from '../models/metapath2vec/config.ts';
import { trainMetapath2vec } from '../models/metapath2vec/train.ts';
import {
  resolveConfig as resolveSimclr,
  SimclrConfig,
  presets as simclrPresets,
} from '../models/simclr/config.ts';
import { type SimclrProgress, trainSimclr } from '../models/simclr/train.ts';
import { pretrainPresets, resolvePretrainConfig } from '../models/simclr2/config.ts';
import { resolveConfig as resolveVit, VitConfig, presets as vitPresets } from '../models/vit/config.ts';
import { trainVit, type VitProgress } from '../models/vit/train.ts';
import type { DeviceChoice } from '../onnx/runtime/devices.ts';
import type { Workspace } from '../workspace/workspace.ts';

/** What a model reports; the job adds the run and its latest validation figures. */
export type Progress = Omit<TrainingProgress, 'run' | 'metrics'>;

export interface TrainCall {
  dataset: string;
  preset?: string;
  config: Record<string, unknown>;
  device: string;
  inputs: Record<string, string[]>;
  resume: number | undefined;
  signal: AbortSignal;
  onProgress(progress: Progress): void;
}

export interface TrainableModel {
  descriptor: ModelDescriptor;
  /** the preset with the overrides and inputs, checked (a ZodError names each bad key); before a job starts */
  check(call: Pick<TrainCall, 'preset' | 'config' | 'inputs'>): void;
  /** runs training to the end; the run is recorded by the model's own trainer */
  train(workspace: Workspace, call: TrainCall): Promise<void>;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function presetOf(
  presets: Record<string, unknown>,
  model: string,
  preset: string | undefined,
  fallback: string,
): string {
  const chosen = preset ?? fallback;
  if (!Object.hasOwn(presets, chosen)) {
    throw new z.ZodError([
      {
        code: 'custom',
        path: ['preset'],
        message: `${model} has no preset "${chosen}"; its presets are ${Object.keys(presets).join(', ')}`,
        input: chosen,
      },
    ]);
  }
  return chosen;
}

type Settings = Pick<TrainCall, 'preset' | 'config' | 'inputs'>;

const bert4recSettings = (call: Settings) =>
  resolveBert4Rec(
    presetOf(bert4recPresets, 'BERT4Rec', call.preset, 'quick') as keyof typeof bert4recPresets,
    call.config,
  );

function metapath2vecSettings(call: Settings) {
  const config = resolveMetapath2vec(
    presetOf(metapath2vecPresets, 'metapath2vec', call.preset, 'quick') as keyof typeof metapath2vecPresets,
    call.config,
  );
  const metapaths = (call.inputs.metapaths ?? []).map((m) => m.trim()).filter(Boolean);
  if (metapaths.length === 0) {
    throw new z.ZodError([
      { code: 'custom', path: ['inputs', 'metapaths'], message: 'give at least one meta-path', input: [] },
    ]);
  }
  return { config, metapaths };
}

const bert4rec: TrainableModel = {
  descriptor: {
    id: 'bert4rec',
    name: 'BERT4Rec',
    description:
      'Next-item recommendation and item embeddings from interaction sequences: a bidirectional Transformer trained on the Cloze task (Sun et al., 2019)',
    datasetKinds: ['interactions'],
    runModels: ['bert4rec', 'sasrec', 'popularity'],
    configSchema: z.toJSONSchema(Bert4RecConfig) as Record<string, unknown>,
    presets: bert4recPresets,
    defaultPreset: 'quick',
    inputs: [],
    resumable: true,
    reportsLoss: true,
  },
  check(call) {
    bert4recSettings(call);
  },
  async train(workspace, call) {
    await trainBert4Rec(workspace, {
      dataset: call.dataset,
      config: bert4recSettings(call),
      device: call.device as DeviceChoice,
      resume: call.resume,
      signal: call.signal,
      onProgress: trainerProgress(call, 'sequences/s', (p: Bert4RecProgress) => p.sequences_per_s, 0),
    });
  },
};

const metapath2vec: TrainableModel = {
  descriptor: {
    id: 'metapath2vec',
    name: 'metapath2vec',
    description:
      'Node embeddings of a heterogeneous network from meta-path-guided random walks and a skip-gram with negative sampling (Dong et al., 2017)',
    datasetKinds: ['network'],
    runModels: ['metapath2vec', 'metapath2vec++'],
    configSchema: z.toJSONSchema(Metapath2vecConfig) as Record<string, unknown>,
    presets: metapath2vecPresets,
    defaultPreset: 'quick',
    inputs: [
      {
        key: 'metapaths',
        label: 'Meta-paths',
        help: 'one per line, entity types joined by "-", starting and ending with the same type (author-paper-venue-paper-author)',
        kind: 'lines',
        required: true,
      },
    ],
    resumable: false,
    reportsLoss: true,
  },
  check(call) {
    metapath2vecSettings(call);
  },
  async train(workspace, call) {
    if (call.resume !== undefined) {
      throw new z.ZodError([
        {
          code: 'custom',
          path: ['resume'],
          message: 'metapath2vec runs cannot be resumed; start a new run',
          input: call.resume,
        },
      ]);
    }
    const { config, metapaths } = metapath2vecSettings(call);
    // walks then training then storing: their share of the run's progress bar
    const span = { walks: [0, 0.25], training: [0.25, 0.95], storing: [0.95, 1] } as const;
    let phaseStart = performance.now();
    let phase = '';
    await trainMetapath2vec(workspace, {
      dataset: call.dataset,
      metapaths,
      config,
      device: call.device,
      signal: call.signal,
      onProgress(p) {
        const now = performance.now();
        if (p.phase !== phase) {
          phase = p.phase;
          phaseStart = now;
        }
        const seconds = (now - phaseStart) / 1000;
        const part = p.total > 0 ? p.done / p.total : 0;
        const rate = seconds > 0 ? p.done / seconds : 0;
        const [from, to] = span[p.phase];
        call.onProgress({
          phase: p.phase,
          loss: p.loss,
          throughput:
            p.phase === 'storing'
              ? undefined
              : { value: rate, unit: p.phase === 'walks' ? 'walks/s' : 'pairs/s' },
          fraction: clamp01(from + (to - from) * part),
          etaSeconds: rate > 0 && p.phase === 'training' ? (p.total - p.done) / rate : null,
        });
      },
    });
  },
};

const vitSettings = (call: Settings) =>
  resolveVit(presetOf(vitPresets, 'ViT', call.preset, 'quick') as keyof typeof vitPresets, call.config);

/** What the trainers on the shared training loop report, in their own words for the rate. */
interface LoopReport {
  phase: Progress['phase'];
  epoch: number;
  step: number;
  loss?: number;
  /** seconds left in the training phase */
  eta_s?: number;
  /** the share of the training phase done (0 to 1) */
  trained?: number;
  done?: number;
  total?: number;
}

/**
 * A trainer's report as the Training view shows it: loading the data is the first `loading` of
 * the bar (the images' decoding; nothing for sequences), training up to 95 %, the test and the
 * stored embeddings the rest; the rate in `unit`, the ETA while training.
 */
function trainerProgress<P extends LoopReport>(
  call: TrainCall,
  unit: string,
  rateOf: (p: P) => number | undefined,
  loading: number,
) {
  let fraction = 0;
  return (p: P) => {
    if (p.phase === 'loading' && p.total)
      fraction = Math.max(fraction, loading * clamp01((p.done ?? 0) / p.total));
    if (p.phase === 'training' && p.trained !== undefined)
      fraction = Math.max(fraction, loading + clamp01(p.trained) * (0.95 - loading));
    if (p.phase === 'test' || p.phase === 'storing') fraction = Math.max(fraction, 0.96);
    const rate = rateOf(p);
    call.onProgress({
      phase: p.phase,
      epoch: p.epoch,
      step: p.step,
      loss: p.loss,
      throughput: rate !== undefined ? { value: rate, unit } : undefined,
      fraction,
      etaSeconds: p.phase === 'training' ? (p.eta_s ?? null) : null,
    });
  };
}

/** The image trainers' (ViT, SimCLR) progress: decoding the images is the first 3 %. */
const imageProgress = (call: TrainCall) =>
  trainerProgress(call, 'images/s', (p: VitProgress | SimclrProgress) => p.images_per_s, 0.03);

/**
 * How an image model's run starts: with the preset and the overrides, or, resumed, with the
 * settings stored with the run (its trainer ignores new ones); its progress as imageProgress says.
 */
function imageTraining<C>(
  trainer: (
    workspace: Workspace,
    request: {
      dataset: string;
      config: C;
      device: DeviceChoice;
      resume?: number;
      signal?: AbortSignal;
      onProgress?: ReturnType<typeof imageProgress>;
    },
  ) => Promise<unknown>,
  settings: (call: Settings) => C,
): TrainableModel['train'] {
  return async (workspace, call) => {
    const stored = call.resume === undefined ? undefined : workspace.runs.get(call.resume)?.config;
    await trainer(workspace, {
      dataset: call.dataset,
      config: (stored as C | undefined) ?? settings(call),
      device: call.device as DeviceChoice,
      resume: call.resume,
      signal: call.signal,
      onProgress: imageProgress(call),
    });
  };
}

const vit: TrainableModel = {
  descriptor: {
    id: 'vit',
    name: 'ViT',
    description:
      'Image classifier and encoder: image patches as tokens, a [CLS] token and learned positions through a pre-norm Transformer (Dosovitskiy et al., 2021)',
    datasetKinds: ['images'],
    runModels: ['vit'],
    configSchema: z.toJSONSchema(VitConfig) as Record<string, unknown>,
    presets: vitPresets,
    defaultPreset: 'quick',
    inputs: [],
    resumable: true,
    reportsLoss: true,
  },
  check(call) {
    vitSettings(call);
  },
  train: imageTraining(trainVit, vitSettings),
};

/** SimCLR v1 and v2 share the trainer and its settings; v2's presets have the 3-layer projection head. */
function simclrModel(version: 1 | 2): TrainableModel {
  const presets = version === 1 ? simclrPresets : pretrainPresets;
  const name = version === 1 ? 'SimCLR' : 'SimCLR v2';
  const settings = (call: Settings) => {
    const preset = presetOf(presets, name, call.preset, 'quick') as keyof typeof simclrPresets;
    return version === 1 ? resolveSimclr(preset, call.config) : resolvePretrainConfig(preset, call.config);
  };
  return {
    descriptor: {
      id: version === 1 ? 'simclr' : 'simclr2',
      name,
      description:
        version === 1
          ? 'Image encoder learned without labels: two augmented views of each image, a ResNet and a projection head trained with the NT-Xent loss and LARS (Chen et al., 2020)'
          : 'SimCLR with the 3-layer projection head of SimCLR v2 (Chen et al., 2020b), the encoder to fine-tune on a labelled fraction and distil (constellation eval --protocol finetune, constellation distill)',
      datasetKinds: ['images'],
      // both record their runs as simclr: a run's settings say which head it has
      runModels: ['simclr'],
      configSchema: z.toJSONSchema(SimclrConfig) as Record<string, unknown>,
      presets,
      defaultPreset: 'quick',
      inputs: [],
      resumable: true,
      reportsLoss: true,
    },
    check(call) {
      settings(call);
    },
    train: imageTraining(trainSimclr, settings),
  };
}

export const trainableModels: readonly TrainableModel[] = [
  bert4rec,
  metapath2vec,
  vit,
  simclrModel(1),
  simclrModel(2),
];

export function trainableModel(id: string): TrainableModel {
  const found = trainableModels.find((m) => m.descriptor.id === id);
  if (!found) {
    throw new z.ZodError([
      {
        code: 'custom',
        path: ['model'],
        message: `no model "${id}"; the models are ${trainableModels.map((m) => m.descriptor.id).join(', ')}`,
        input: id,
      },
    ]);
  }
  return found;
}
