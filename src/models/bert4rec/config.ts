// One schema for a BERT4Rec run's settings: it validates the CLI's --set pairs and the API's input,
// fills the preset's defaults, and is what the run stores as its config. The same schema serves the
// two baselines (`objective`: popularity, or the causal next-item Transformer as in SASRec).
import { z } from 'zod';
import { withOverrides } from '../settings.ts';

const whole = (min: number, max: number) => z.number().int().min(min).max(max);
const fraction = z.number().min(0).max(0.95);

export const Objective = z.enum([
  /** bidirectional encoder, Cloze task (BERT4Rec) */
  'cloze',
  /** causal encoder, next item at every position (SASRec-style baseline) */
  'next',
  /** item popularity over the training part (baseline, nothing learned) */
  'popularity',
]);
export type Objective = z.infer<typeof Objective>;

export const Protocol = z.enum(['pop100', 'uniform100', 'full']);
export type Protocol = z.infer<typeof Protocol>;

const fields = z.object({
  objective: Objective,
  /** N: the most recent N items are the model's input (training windows are N long) */
  max_len: whole(2, 4096),
  /** p: probability that an item of a training window is masked */
  mask_prob: z.number().gt(0, 'mask_prob must be in (0, 1]').max(1, 'mask_prob must be in (0, 1]'),
  /** at most this many masked items per training window */
  max_predictions: whole(1, 4096),
  /** differently masked copies of every training window per epoch */
  dupe_factor: whole(1, 1000),
  /** one more copy per window with only its last item masked (the next-item task) */
  mask_last: z.boolean(),
  /** BERT's 80/10/10 replacement (mask / random item / unchanged) instead of always [MASK] */
  bert_masking: z.boolean(),
  /** step between the starts of consecutive training windows of a sequence longer than N */
  window_step: whole(1, 4096),
  /** drop users and items with fewer than k interactions, repeatedly (0: keep everything) */
  k_core: whole(0, 1000),
  /**
   * Train on each user's validation item too, as the authors' gen_data_fin.py does ("put validate
   * into train"): the test then follows training without a gap. Nothing is left to validate on, so
   * the run trains its epochs (or until time_limit_s) and keeps the last, with no early stopping.
   * Off by default, as in SASRec's and RecBole's protocol. Runs stored without it were trained off.
   */
  train_on_validation: z.boolean().default(false),
  hidden: whole(2, 4096),
  layers: whole(1, 48),
  heads: whole(1, 64),
  /** feed-forward width; 0 means 4 x hidden */
  ffn: whole(0, 16384),
  dropout: fraction,
  attention_dropout: fraction,
  init_std: z.number().positive().max(1),
  lr: z.number().positive().max(1),
  warmup_steps: whole(0, 10_000_000),
  weight_decay: z.number().min(0).max(1),
  clip_norm: z.number().positive(),
  batch_size: whole(1, 65_536),
  /**
   * Windows of at most this many items train through a second, shorter step (the same model at
   * length short_len), so that short histories do not pay for N positions; 0: one step of N.
   * Batches then hold one length class each (batches.ts).
   */
  short_len: z.number().int().min(0).max(4096).default(0),
  /** masked positions that reach the output layer per batch (0: batch_size x max_predictions) */
  batch_predictions: whole(0, 1_000_000),
  /** full softmax over the catalogue, or sampled softmax for catalogues of 10^5-10^6 items */
  loss: z.enum(['softmax', 'sampled']),
  /** negatives of the sampled softmax, shared by the batch, drawn uniformly (model.ts: so no log-Q correction) */
  sampled_negatives: whole(1, 1_000_000),
  epochs: whole(1, 100_000),
  /** stop after this many epochs without a better validation NDCG@10 (unused with train_on_validation) */
  patience: whole(1, 1000),
  /** stop training after this many seconds (0: no limit); the best epoch so far is kept */
  time_limit_s: z.number().min(0),
  /** validation protocol (early stopping on its NDCG@10) */
  protocol: Protocol,
  /** validate on at most this many users, a seeded sample (0: all) */
  val_users: whole(0, 100_000_000),
  eval_batch: whole(1, 65_536),
  seed: whole(0, 2 ** 31 - 1),
});

export const Bert4RecConfig = fields.superRefine((c, ctx) => {
  if (c.hidden % c.heads !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['heads'],
      message: `heads (${c.heads}) must divide hidden (${c.hidden})`,
    });
  }
  if (c.max_predictions > c.max_len) {
    ctx.addIssue({
      code: 'custom',
      path: ['max_predictions'],
      message: `max_predictions (${c.max_predictions}) cannot exceed max_len (${c.max_len})`,
    });
  }
  if (c.short_len === 1 || c.short_len >= c.max_len) {
    ctx.addIssue({
      code: 'custom',
      path: ['short_len'],
      message: `short_len must be 0 (off) or from 2 to max_len - 1 (${c.max_len - 1})`,
    });
  }
  if (c.window_step > c.max_len) {
    ctx.addIssue({
      code: 'custom',
      path: ['window_step'],
      message: `window_step cannot exceed max_len (${c.max_len})`,
    });
  }
});
export type Bert4RecConfig = z.infer<typeof Bert4RecConfig>;

export const presetNames = ['paper-ml', 'paper-amazon', 'quick'] as const;
export type PresetName = (typeof presetNames)[number];

/** Settings of the authors' run_ml-1m.sh / bert_config_ml-1m_64.json, one epoch = all windows x dupe_factor. */
const paperMl: Bert4RecConfig = {
  objective: 'cloze',
  max_len: 200,
  mask_prob: 0.2,
  max_predictions: 40,
  dupe_factor: 10,
  mask_last: true,
  bert_masking: false,
  window_step: 100,
  k_core: 0,
  train_on_validation: false,
  hidden: 64,
  layers: 2,
  heads: 2,
  ffn: 0,
  dropout: 0.1,
  attention_dropout: 0.1,
  init_std: 0.02,
  lr: 1e-4,
  warmup_steps: 100,
  weight_decay: 0.01,
  clip_norm: 5,
  batch_size: 256,
  short_len: 0,
  batch_predictions: 0,
  loss: 'softmax',
  sampled_negatives: 1000,
  epochs: 200,
  patience: 10,
  time_limit_s: 0,
  protocol: 'pop100',
  val_users: 10_000,
  eval_batch: 256,
  seed: 1,
};

/**
 * paper-ml: the authors' MovieLens configuration (N = 200, p = 0.2, 40 predictions, sliding step 0.5 N).
 * paper-amazon: their Amazon Beauty configuration (N = 50, p = 0.6, 30 predictions, step 0.1 N).
 * quick: seconds on the demo watch log.
 */
export const presets: Record<PresetName, Bert4RecConfig> = {
  'paper-ml': paperMl,
  'paper-amazon': {
    ...paperMl,
    max_len: 50,
    mask_prob: 0.6,
    max_predictions: 30,
    window_step: 5,
    protocol: 'pop100',
  },
  quick: {
    ...paperMl,
    max_len: 20,
    mask_prob: 0.3,
    max_predictions: 8,
    dupe_factor: 2,
    window_step: 10,
    hidden: 32,
    heads: 2,
    lr: 3e-3,
    warmup_steps: 20,
    batch_size: 64,
    epochs: 20,
    patience: 3,
    val_users: 2000,
  },
};

/** The keys a user may set: what `--set` and the training form accept. */
export const settingKeys = Object.keys(fields.shape) as (keyof Bert4RecConfig)[];

/** The preset with the user's overrides, checked; a ZodError names each bad key. */
export function resolveConfig(preset: PresetName, overrides: Record<string, unknown> = {}): Bert4RecConfig {
  return withOverrides(Bert4RecConfig, settingKeys, presets[preset], overrides);
}

/** Feed-forward width as configured. */
export const ffnWidth = (c: Bert4RecConfig): number => c.ffn || 4 * c.hidden;

/** Output rows per batch as configured. */
export const predictionsPerBatch = (c: Bert4RecConfig): number =>
  c.batch_predictions || c.batch_size * (c.objective === 'next' ? c.max_len - 1 : c.max_predictions);
