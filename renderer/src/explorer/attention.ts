// Which of a ViT run's attention maps the explorer draws over an image, and how strongly each patch
// is shaded. The maps come from vit.attention: per layer and head the [CLS] row over the patches,
// and the rollout over all layers. Kept apart from the component so the choice of map and the
// shading are tested without a page.
import type { CommandOutput } from '../../../src/api/index.ts';

export type AttentionMaps = CommandOutput<'vit.attention'>;

/** A map the user can pick: the rollout, a layer's heads averaged, or one head of one layer. */
export type MapChoice =
  | { kind: 'rollout' }
  | { kind: 'layer'; layer: number }
  | { kind: 'head'; layer: number; head: number };

export interface ChoiceOption {
  /** stable value for a <select> */
  value: string;
  label: string;
  choice: MapChoice;
}

/** Every map of a run with `layers` x `heads`, rollout first (what ViT's paper draws), in layer order. */
export function mapChoices(layers: number, heads: number): ChoiceOption[] {
  const options: ChoiceOption[] = [
    { value: 'rollout', label: 'Rollout over all layers', choice: { kind: 'rollout' } },
  ];
  for (let layer = 0; layer < layers; layer++) {
    options.push({
      value: `layer-${layer}`,
      label: `Layer ${layer + 1}, mean of ${heads} heads`,
      choice: { kind: 'layer', layer },
    });
    for (let head = 0; head < heads; head++) {
      options.push({
        value: `layer-${layer}-head-${head}`,
        label: `Layer ${layer + 1}, head ${head + 1}`,
        choice: { kind: 'head', layer, head },
      });
    }
  }
  return options;
}

/** The chosen map: grid x grid values, row-major from the top left. */
export function mapOf(maps: AttentionMaps, choice: MapChoice): number[] {
  if (choice.kind === 'rollout') return maps.rollout;
  const layer = maps.cls[choice.layer];
  if (!layer) throw new RangeError(`layer ${choice.layer + 1} of ${maps.layers}`);
  if (choice.kind === 'head') {
    const head = layer[choice.head];
    if (!head) throw new RangeError(`head ${choice.head + 1} of ${maps.heads}`);
    return head;
  }
  const mean = new Array<number>(maps.grid * maps.grid).fill(0);
  for (const head of layer) for (let p = 0; p < mean.length; p++) mean[p] += head[p] / layer.length;
  return mean;
}

/**
 * Each patch's shade in [0, 1]: its weight over the map's largest. Relative to the largest, not to
 * the sum, because a map spread over 49 patches would otherwise be too faint to see; a map that is
 * all zero shades nothing.
 */
export function shades(map: readonly number[]): number[] {
  const top = Math.max(0, ...map);
  return map.map((v) => (top > 0 ? Math.max(0, v) / top : 0));
}

/** The patch the map weighs most (the first of equals): what the caption names. */
export function strongestPatch(map: readonly number[], grid: number): { row: number; column: number } {
  let best = 0;
  for (let p = 1; p < map.length; p++) if (map[p] > map[best]) best = p;
  return { row: Math.floor(best / grid), column: best % grid };
}
