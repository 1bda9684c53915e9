// The token side of ViT, shared with the video models (ViViT's tubelets, per-frame encoders): a
// linear projection of flattened patches, a learned [CLS] token prepended, learned positions
// added. Parameter names and initialisations are ViT's, so the spatial weights of a video model
// can start from an image run's checkpoint.
import type { Graph, Tensor } from '../../onnx/graph.ts';
import * as op from '../../onnx/ops/index.ts';
import { type Initializer, initialValues } from '../transformer/init.ts';

export interface TokenDropout {
  p: number;
  seed: Tensor;
}

/** A trainable parameter initialised from (seed, name). */
export function seededParameter(
  g: Graph,
  seed: number,
  name: string,
  dims: number[],
  init: Initializer,
): Tensor {
  return g.parameter(name, dims, { values: initialValues(seed, name, dims, init) });
}

/** Flattened patches [B, tokens, width] projected to [B, tokens, d] (ViT's patch embedding, `prefix/w`, `prefix/b`). */
export function patchProjection(
  patches: Tensor,
  hidden: number,
  seed: number,
  prefix = 'embedding/patch',
): Tensor {
  const g = patches.graph;
  const [batch, tokens, width] = patches.shape;
  const w = seededParameter(g, seed, `${prefix}/w`, [width, hidden], {
    kind: 'xavier-uniform',
    fanIn: width,
    fanOut: hidden,
  });
  const b = seededParameter(g, seed, `${prefix}/b`, [hidden], { kind: 'constant', value: 0 });
  return op.reshape(op.linear(op.reshape(patches, [batch * tokens, width]), w, b), [batch, tokens, hidden]);
}

/** x [B, L, d] with a learned [CLS] prepended and learned positions [1, L + 1, d] added, then dropout. */
export function withClassAndPositions(
  x: Tensor,
  seed: number,
  { cls = 'embedding/cls', positions = 'embedding/positions' }: { cls?: string; positions?: string } = {},
  drop?: TokenDropout,
): Tensor {
  const g = x.graph;
  const [batch, length, d] = x.shape;
  const token = seededParameter(g, seed, cls, [1, 1, d], { kind: 'constant', value: 0 });
  const sequence = op.concat([op.expand(token, [batch, 1, d]), x], 1);
  const learned = seededParameter(g, seed, positions, [1, length + 1, d], { kind: 'normal', std: 0.02 });
  const summed = op.add(sequence, learned);
  return drop && drop.p > 0 ? op.dropout(summed, { p: drop.p, seed: drop.seed }) : summed;
}

/** Token 0 ([CLS]) of hidden states [B, L, d] as [B, d]. */
export function classToken(hidden: Tensor): Tensor {
  const [batch, , d] = hidden.shape;
  return op.reshape(op.slice(hidden, 1, 0, 1), [batch, d]);
}
