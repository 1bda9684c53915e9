// The layers of a convolutional network with BatchNorm, declared on a graph with seeded initial
// values. A network in training mode collects its BatchNorm running-statistics updates in
// `updates` (the step compiler routes them back as state); in eval mode BatchNorm reads the running
// statistics, which is what inference uses.
//
// onnxruntime has Conv in float32 only, so in float64 (gradient checks) the convolution is
// composed from slices and matrix products: the same cross-correlation, k x k shifted windows each
// multiplied by its kernel tap. Tests check the float32 kernel against this composition.
import type { StateUpdate } from '../../onnx/compile.ts';
import type { Graph, Tensor } from '../../onnx/graph.ts';
import * as op from '../../onnx/ops/index.ts';
import { type Initializer, initialValues } from '../transformer/init.ts';

export interface Layers {
  g: Graph;
  seed: number;
  dtype: 'float32' | 'float64';
  /** BatchNorm on batch statistics (and moving the running ones) rather than on the running ones */
  training: boolean;
  /** the running-statistics updates of training mode, in declaration order */
  updates: StateUpdate[];
  /**
   * How a parameter enters the graph: a graph parameter, or (gradient checks, which differentiate
   * with respect to the input only) a constant.
   */
  declare(name: string, shape: number[], values: Float32Array | Float64Array, trainable: boolean): Tensor;
}

/** Layers whose parameters are the graph's parameters, seeded by `seed`. */
export function graphLayers(
  g: Graph,
  { seed, training, dtype = 'float32' }: { seed: number; training: boolean; dtype?: Layers['dtype'] },
): Layers {
  return {
    g,
    seed,
    dtype,
    training,
    updates: [],
    declare: (name, shape, values, trainable) => g.parameter(name, shape, { values }, { trainable }),
  };
}

export function parameter(
  layers: Layers,
  name: string,
  shape: number[],
  init: Initializer,
  trainable = true,
): Tensor {
  return layers.declare(name, shape, initialValues(layers.seed, name, shape, init, layers.dtype), trainable);
}

export interface ConvShape {
  /** output channels */
  channels: number;
  kernel: number;
  stride: number;
}

/**
 * A bias-free k x k convolution with "same" padding (k odd), He-initialised over the fan-out as
 * torchvision's ResNet: normal(0, sqrt(2 / (k² out))).
 */
export function convolution(
  layers: Layers,
  name: string,
  x: Tensor,
  { channels, kernel, stride }: ConvShape,
) {
  const w = parameter(layers, `${name}/w`, [channels, x.shape[1], kernel, kernel], {
    kind: 'normal',
    std: Math.sqrt(2 / (kernel * kernel * channels)),
  });
  const pad = (kernel - 1) / 2;
  if (x.dtype === 'float64') return composedConvolution(x, w, stride, pad);
  return op.conv(x, w, { strides: [stride, stride], pads: [pad, pad] });
}

/** Indices start, start + step, ... (count of them) along `axis`. */
function strided(x: Tensor, axis: number, start: number, step: number, count: number): Tensor {
  const taken = op.slice(x, axis, start, start + step * count);
  if (step === 1) return taken;
  const shape = [...taken.shape];
  const split = [...shape.slice(0, axis), count, step, ...shape.slice(axis + 1)];
  return op.squeeze(op.slice(op.reshape(taken, split), axis + 1, 0, 1), axis + 1);
}

/**
 * Cross-correlation of x [N, C, H, W] with w [O, C, k, k], zero padding `pad` on each side, as a
 * sum over the k² taps of (shifted, strided window) x (that tap of the kernel).
 */
export function composedConvolution(x: Tensor, w: Tensor, stride: number, pad: number): Tensor {
  const [n, , height, width] = x.shape;
  const [out, channels, k] = w.shape;
  const rows = Math.floor((height + 2 * pad - k) / stride) + 1;
  const cols = Math.floor((width + 2 * pad - k) / stride) + 1;
  // enough zeros after the image for the last window's strided reach
  const extraRows = Math.max(0, k - 1 + stride * rows - (height + 2 * pad));
  const extraCols = Math.max(0, k - 1 + stride * cols - (width + 2 * pad));
  const padded = op.pad(x, [0, 0, pad, pad], [0, 0, pad + extraRows, pad + extraCols]);
  let sum: Tensor | null = null;
  for (let ky = 0; ky < k; ky++) {
    for (let kx = 0; kx < k; kx++) {
      const window = strided(strided(padded, 2, ky, stride, rows), 3, kx, stride, cols);
      const tap = op.reshape(op.slice(op.slice(w, 2, ky, ky + 1), 3, kx, kx + 1), [out, channels]);
      const term = op.matmul(op.transpose(window, [0, 2, 3, 1]), op.transposeLast(tap));
      sum = sum ? op.add(sum, term) : term;
    }
  }
  return op.reshape(op.transpose(sum!, [0, 3, 1, 2]), [n, out, rows, cols]);
}

/** BatchNorm over the channels (axis 1) of x [N, C, ...]: γ = 1, β = 0, running mean 0 and variance 1. */
export function batchNormalisation(layers: Layers, name: string, x: Tensor): Tensor {
  const c = x.shape[1];
  const gamma = parameter(layers, `${name}/gamma`, [c], { kind: 'constant', value: 1 });
  const beta = parameter(layers, `${name}/beta`, [c], { kind: 'constant', value: 0 });
  const mean = parameter(layers, `${name}/running_mean`, [c], { kind: 'constant', value: 0 }, false);
  const variance = parameter(layers, `${name}/running_variance`, [c], { kind: 'constant', value: 1 }, false);
  const { y, running } = op.batchNorm(x, gamma, beta, { mean, variance }, { training: layers.training });
  if (layers.training) {
    layers.updates.push(
      { parameter: mean, next: running.mean },
      { parameter: variance, next: running.variance },
    );
  }
  return y;
}
