// One schema for a metapath2vec run's settings: it validates the CLI's --set pairs and the API's
// input, fills the preset's defaults, and is what the run stores as its config.
import { z } from 'zod';

/** Beyond this the tables of a DBLP-sized network (38k nodes x 2 tables) pass 1 GB and nothing is gained. */
export const maxDim = 4096;

export const Metapath2vecVariant = z.enum(['plain', 'plusplus']);
export type Metapath2vecVariant = z.infer<typeof Metapath2vecVariant>;

const whole = (min: number, max: number) => z.number().int().min(min).max(max);

const fields = z.object({
  /** walks started at every node of each scheme's first type (the paper's r) */
  walks_per_node: whole(1, 100_000),
  /** nodes per walk, start included (the paper's l) */
  walk_length: whole(2, 100_000),
  /** the paper's k: context positions i-k .. i+k */
  window: whole(1, 1_000),
  dim: whole(1, maxDim),
  negatives: whole(1, 100),
  epochs: whole(1, 1_000),
  lr: z.number().positive().max(1),
  /** nodes seen fewer times than this in the walks get no embedding (and leave the walks) */
  min_count: whole(1, 1_000_000_000),
  seed: whole(0, 2 ** 31 - 1),
  variant: Metapath2vecVariant,
});

export const Metapath2vecConfig = fields.refine((c) => c.window < c.walk_length, {
  path: ['window'],
  message:
    'window must be smaller than walk_length: a context position lies at most walk_length - 1 steps away',
});
export type Metapath2vecConfig = z.infer<typeof Metapath2vecConfig>;

export const presetNames = ['paper', 'quick'] as const;
export type PresetName = (typeof presetNames)[number];

/**
 * paper: the settings of Dong et al. 2017 (section 4.1: r = 1000, l = 100, k = 7, d = 128, 5 negatives).
 * quick: seconds on the demo network, still well above chance on its planted areas.
 */
export const presets: Record<PresetName, Metapath2vecConfig> = {
  paper: {
    walks_per_node: 1000,
    walk_length: 100,
    window: 7,
    dim: 128,
    negatives: 5,
    epochs: 1,
    lr: 0.025,
    min_count: 1,
    seed: 1,
    variant: 'plain',
  },
  quick: {
    walks_per_node: 10,
    walk_length: 40,
    window: 5,
    dim: 64,
    negatives: 5,
    epochs: 1,
    lr: 0.025,
    min_count: 1,
    seed: 1,
    variant: 'plain',
  },
};

/** The preset with the user's overrides, checked; a ZodError names each bad key. */
export function resolveConfig(
  preset: PresetName,
  overrides: Record<string, unknown> = {},
): Metapath2vecConfig {
  const unknown = Object.keys(overrides).filter((key) => !(key in fields.shape));
  if (unknown.length > 0) {
    throw new z.ZodError(
      unknown.map((key) => ({
        code: 'custom' as const,
        path: [key],
        message: `unknown setting; the settings are ${Object.keys(fields.shape).join(', ')}`,
        input: overrides[key],
      })),
    );
  }
  return Metapath2vecConfig.parse({ ...presets[preset], ...overrides });
}
