// Tokens of a clip (Arnab et al., ViViT, section 3.2): non-overlapping t x P x P tubelets, each
// flattened and linearly projected (equal to a 3-D convolution with stride = kernel); t = 1 is
// uniform frame sampling with 2-D patches. Tokens are ordered time-major, so the tokens of time
// step i are the contiguous block i of (H / P) x (W / P).
import type { Tensor } from '../../onnx/graph.ts';
import * as op from '../../onnx/ops/index.ts';
import { type Normalisation, normalisedPixels } from '../vit/model.ts';
import { patchProjection, seededParameter, type TokenDropout } from '../vit/tokens.ts';

/** uint8 clips [B, T, C, H, W] as float32, normalised per channel as ViT normalises images. */
export function normalisedClips(clips: Tensor, norm: Normalisation): Tensor {
  const [batch, frames, ...frame] = clips.shape;
  return op.reshape(normalisedPixels(op.reshape(clips, [batch * frames, ...frame]), norm), clips.shape);
}

/** Tubelets of normalised clips [B, T, C, H, W] as [B, (T / t)(H / P)(W / P), C t P P], channel-major. */
export function tubelets(pixels: Tensor, t: number, patch: number): Tensor {
  return op.patches(op.transpose(pixels, [0, 2, 1, 3, 4]), [t, patch, patch]);
}

/** Tubelets projected to d: [B, tokens, d], the projection named `embedding/tubelet/w|b`. */
export function tubeletEmbedding(
  pixels: Tensor,
  t: number,
  patch: number,
  hidden: number,
  seed: number,
): Tensor {
  return patchProjection(tubelets(pixels, t, patch), hidden, seed, 'embedding/tubelet');
}

/**
 * Tokens [B, L, d] plus learned positions `embedding/positions` [1, L, d], then dropout: the
 * embedding of the encoders that pool their tokens instead of reading a [CLS] token (ViViT
 * Models 3 and 4, MViT). Initialised as ViT's positions are.
 */
export function withPositions(x: Tensor, seed: number, drop?: TokenDropout): Tensor {
  const [, length, d] = x.shape;
  const positions = seededParameter(x.graph, seed, 'embedding/positions', [1, length, d], {
    kind: 'normal',
    std: 0.02,
  });
  const summed = op.add(x, positions);
  return drop && drop.p > 0 ? op.dropout(summed, { p: drop.p, seed: drop.seed }) : summed;
}

/**
 * A 2-D patch embedding [C P P, d] inflated to tubelets [C t P P, d] (ViViT's initialisation from
 * an image model): `central` puts the 2-D filter on the tubelet's central frame (index floor(t / 2))
 * and zeros on the others, so a tubelet starts out seeing one frame as the image model saw it;
 * `average` repeats it on every frame divided by t, so a still clip embeds as its frame would.
 */
export function inflatePatchWeights(
  weights: Float32Array,
  { channels, patch, t, hidden }: { channels: number; patch: number; t: number; hidden: number },
  mode: 'central' | 'average',
): Float32Array {
  const area = patch * patch;
  if (weights.length !== channels * area * hidden) {
    throw new Error(
      `a ${channels} x ${patch} x ${patch} patch embedding of width ${hidden} has ${channels * area * hidden} weights, not ${weights.length}`,
    );
  }
  const out = new Float32Array(channels * t * area * hidden);
  const centre = Math.floor(t / 2);
  for (let c = 0; c < channels; c++) {
    for (let f = 0; f < t; f++) {
      if (mode === 'central' && f !== centre) continue;
      const scale = mode === 'average' ? 1 / t : 1;
      for (let k = 0; k < area; k++) {
        const from = (c * area + k) * hidden;
        const to = ((c * t + f) * area + k) * hidden;
        for (let j = 0; j < hidden; j++) out[to + j] = weights[from + j] * scale;
      }
    }
  }
  return out;
}
