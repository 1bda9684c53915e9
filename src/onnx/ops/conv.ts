// Convolutions (2-D and 3-D: patch and tubelet embeddings, small CNNs) and pooling (MViT's
// pooling attention). onnxruntime has these kernels in float32 only, so every gradient is
// built from the same kernels: ConvTranspose for the input, a Conv over batch-transposed
// tensors for the weights, and for max pooling a one-hot unfolding of the windows.
import { formatShape, onnxDataType, type Shape } from '../dtype.ts';
import { type Attrs, type Graph, type Op, ShapeError, type Tensor } from '../graph.ts';
import { mul } from './elementwise.ts';
import { reduceSum } from './reduce.ts';
import { reshape, slice, transpose } from './shape.ts';

export interface ConvOptions {
  /** per spatial axis; default 1 */
  strides?: readonly number[];
  /** zero padding per spatial axis, the same on both sides, or [begin..., end...] */
  pads?: readonly number[];
  /** per spatial axis; default 1 */
  dilations?: readonly number[];
}

interface Geometry {
  strides: number[];
  /** ONNX layout: all begins, then all ends */
  pads: number[];
  dilations: number[];
}

function geometry(op: string, inputs: readonly Tensor[], spatial: number, o: ConvOptions): Geometry {
  const per = (v: readonly number[] | undefined, name: string, fill: number) => {
    const out = v ? [...v] : new Array<number>(spatial).fill(fill);
    if (out.length !== spatial || out.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ShapeError(op, `${name} [${v}] must have one non-negative integer per spatial axis`, inputs);
    }
    return out;
  };
  const strides = per(o.strides, 'strides', 1);
  const dilations = per(o.dilations, 'dilations', 1);
  let pads = o.pads ? [...o.pads] : new Array<number>(2 * spatial).fill(0);
  if (pads.length === spatial) pads = [...pads, ...pads];
  if (pads.length !== 2 * spatial || pads.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new ShapeError(op, `pads [${o.pads}] must have 1 or 2 entries per spatial axis`, inputs);
  }
  if ([...strides, ...dilations].some((v) => v < 1))
    throw new ShapeError(op, 'strides and dilations must be >= 1', inputs);
  return { strides, pads, dilations };
}

function outputSize(
  input: number,
  kernel: number,
  axis: number,
  { strides, pads, dilations }: Geometry,
): number {
  const spatial = strides.length;
  return (
    Math.floor(
      (input + pads[axis] + pads[axis + spatial] - dilations[axis] * (kernel - 1) - 1) / strides[axis],
    ) + 1
  );
}

function onnxAttrs({ strides, pads, dilations }: Geometry): Attrs {
  return { strides: { ints: strides }, pads: { ints: pads }, dilations: { ints: dilations } };
}

const ConvOp: Op<Geometry> = {
  name: 'Conv',
  forward(g, inputs, geo) {
    const [x, w] = inputs;
    const kernel = w.shape.slice(2);
    const shape = [
      x.shape[0],
      w.shape[0],
      ...x.shape.slice(2).map((d, i) => outputSize(d, kernel[i], i, geo)),
    ];
    return g.node('Conv', inputs, [{ shape, dtype: x.dtype }], onnxAttrs(geo));
  },
  backward(_g, { inputs: [x, w, bias], attrs: geo }, [gy]) {
    const spatialAxes = x.shape.slice(2).map((_, i) => i + 2);
    return [
      convTransposeTo(gy!, w, geo, x.shape.slice(2)),
      weightGradient(x, gy!, geo, w.shape.slice(2)),
      ...(bias ? [reduceSum(gy!, [0, ...spatialAxes])] : []),
    ];
  },
};

/**
 * Cross-correlation of x [N, C, ...spatial] with w [O, C, ...kernel] (+ bias [O]), as
 * torch.nn.Conv2d/Conv3d with groups = 1.
 */
export function conv(x: Tensor, w: Tensor, options: ConvOptions & { bias?: Tensor } = {}): Tensor {
  const inputs = options.bias ? [x, w, options.bias] : [x, w];
  const spatial = x.rank - 2;
  if (spatial < 1 || w.rank !== x.rank || w.shape[1] !== x.shape[1]) {
    throw new ShapeError('Conv', 'expects x [N, C, ...] and w [O, C, ...kernel] of the same rank', inputs);
  }
  if (options.bias && options.bias.shape.join() !== `${w.shape[0]}`) {
    throw new ShapeError('Conv', `bias must have shape [${w.shape[0]}]`, inputs);
  }
  const geo = geometry('Conv', inputs, spatial, options);
  if (x.shape.slice(2).some((d, i) => outputSize(d, w.shape[i + 2], i, geo) < 1)) {
    throw new ShapeError('Conv', 'the kernel does not fit the padded input', inputs);
  }
  return x.graph.apply(ConvOp, inputs, geo)[0];
}

/**
 * Non-overlapping patches (ViT) or tubelets (ViViT) of x [N, C, ...spatial] as tokens:
 * [N, patches, C * patch volume], channel-major within a patch like a Conv weight [O, C, ...].
 * A linear layer on these equals conv with stride = kernel, and measured faster (forward and
 * backward, 64x3x32x32, patch 4, width 192, 2 cores: 21.7 ms against 31.5 ms); it is pure
 * data movement, so it also runs in float64.
 */
export function patches(x: Tensor, size: readonly number[]): Tensor {
  const [n, c, ...spatial] = x.shape;
  if (size.length !== spatial.length || spatial.some((d, i) => d % size[i] !== 0)) {
    throw new ShapeError('Patches', `patch ${formatShape(size)} does not tile the input`, [x]);
  }
  const grid = spatial.map((d, i) => d / size[i]);
  const split = reshape(x, [n, c, ...spatial.flatMap((_, i) => [grid[i], size[i]])]);
  const gridAxes = spatial.map((_, i) => 2 + 2 * i);
  const patchAxes = spatial.map((_, i) => 3 + 2 * i);
  const volume = size.reduce((a, b) => a * b, 1);
  const count = grid.reduce((a, b) => a * b, 1);
  return reshape(transpose(split, [0, ...gridAxes, 1, ...patchAxes]), [n, count, c * volume]);
}

interface TransposeAttrs extends Geometry {
  outputShape: Shape;
}

const ConvTransposeOp: Op<TransposeAttrs> = {
  name: 'ConvTranspose',
  forward(g, [x, w], attrs) {
    const kernel = w.shape.slice(2);
    const outputPadding = attrs.outputShape.map((d, i) => {
      const spatial = attrs.strides.length;
      const natural =
        (x.shape[i + 2] - 1) * attrs.strides[i] +
        attrs.dilations[i] * (kernel[i] - 1) +
        1 -
        attrs.pads[i] -
        attrs.pads[i + spatial];
      return d - natural;
    });
    const shape = [x.shape[0], w.shape[1], ...attrs.outputShape];
    return g.node('ConvTranspose', [x, w], [{ shape, dtype: x.dtype }], {
      ...onnxAttrs(attrs),
      output_padding: { ints: outputPadding },
    });
  },
  backward(_g, { inputs: [x, w], attrs }, [gy]) {
    // y[n,o,p s + k d - pad] += x[n,i,p] w[i,o,k]: its adjoints are a Conv and the same
    // batch-transposed Conv as Conv's weight gradient, with the roles of x and y swapped.
    return [conv(gy!, w, attrs), weightGradient(gy!, x, attrs, w.shape.slice(2))];
  },
};

/** The adjoint of conv with respect to its input: x [N, O, ...] to [N, C, ...outputShape] with w [O, C, ...]. */
function convTransposeTo(x: Tensor, w: Tensor, geo: Geometry, outputShape: Shape): Tensor {
  return x.graph.apply(ConvTransposeOp, [x, w], { ...geo, outputShape })[0];
}

/**
 * sum over n, p of input[n, c, p s + k d - pad] * gradOut[n, o, p], shaped [O, C, ...kernel]:
 * a Conv of the input (batch and channel axes swapped) with gradOut as the kernel, where the
 * forward stride becomes the dilation and the dilation the stride.
 */
function weightGradient(input: Tensor, gradOut: Tensor, geo: Geometry, kernel: Shape): Tensor {
  const swap = input.shape.map((_, i) => (i < 2 ? 1 - i : i));
  const full = conv(transpose(input, swap), transpose(gradOut, swap), {
    strides: geo.dilations,
    dilations: geo.strides,
    pads: geo.pads,
  });
  let cropped = full;
  kernel.forEach((k, i) => {
    cropped = slice(cropped, i + 2, 0, k);
  });
  return transpose(cropped, swap);
}

export interface PoolOptions {
  kernel: readonly number[];
  /** default: the kernel (non-overlapping windows) */
  strides?: readonly number[];
  pads?: readonly number[];
}

interface PoolAttrs extends Geometry {
  kernel: number[];
}

function poolGeometry(op: string, x: Tensor, o: PoolOptions): PoolAttrs {
  const spatial = x.rank - 2;
  if (spatial < 1 || o.kernel.length !== spatial) {
    throw new ShapeError(op, `kernel [${o.kernel}] must have one size per spatial axis`, [x]);
  }
  const geo = geometry(op, [x], spatial, { strides: o.strides ?? o.kernel, pads: o.pads });
  if (x.shape.slice(2).some((d, i) => outputSize(d, o.kernel[i], i, geo) < 1)) {
    throw new ShapeError(op, `kernel ${formatShape(o.kernel)} does not fit`, [x]);
  }
  return { ...geo, kernel: [...o.kernel] };
}

function pooledShape(x: Tensor, attrs: PoolAttrs): Shape {
  return [
    ...x.shape.slice(0, 2),
    ...x.shape.slice(2).map((d, i) => outputSize(d, attrs.kernel[i], i, attrs)),
  ];
}

function poolAttrs(attrs: PoolAttrs): Attrs {
  return {
    kernel_shape: { ints: attrs.kernel },
    strides: { ints: attrs.strides },
    pads: { ints: attrs.pads },
  };
}

const AveragePoolOp: Op<PoolAttrs> = {
  name: 'AveragePool',
  forward(g, [x], attrs) {
    return g.node('AveragePool', [x], [{ shape: pooledShape(x, attrs), dtype: x.dtype }], {
      ...poolAttrs(attrs),
      count_include_pad: { int: 1 },
    });
  },
  // Each window spreads its gradient evenly: a ConvTranspose of every channel on its own with
  // a constant kernel of 1/window.
  backward(g, { inputs: [x], attrs }, [gy]) {
    const [n, c, ...spatial] = x.shape;
    const window = attrs.kernel.reduce((a, b) => a * b, 1);
    const kernel = spreadKernel(g, attrs.kernel, 1 / window, x);
    const perChannel = reshape(gy!, [n * c, 1, ...gy!.shape.slice(2)]);
    return [reshape(convTransposeTo(perChannel, kernel, attrs, spatial), x.shape)];
  },
};

function spreadKernel(g: Graph, kernel: readonly number[], value: number, like: Tensor): Tensor {
  const size = kernel.reduce((a, b) => a * b, 1);
  return g.constant(new Array<number>(size).fill(value), [1, 1, ...kernel], like.dtype, 'average_kernel');
}

/** Average over windows of x [N, C, ...spatial]; padding counts as zeros (PyTorch's default). */
export function avgPool(x: Tensor, options: PoolOptions): Tensor {
  return x.graph.apply(AveragePoolOp, [x], poolGeometry('AveragePool', x, options))[0];
}

const MaxPoolOp: Op<PoolAttrs> = {
  name: 'MaxPool',
  // No Indices output: the WebGPU provider claims MaxPool but fails at run time when asked
  // for indices ("The Indices output is not supported yet", onnxruntime 1.30).
  forward(g, [x], attrs) {
    return g.node('MaxPool', [x], [{ shape: pooledShape(x, attrs), dtype: x.dtype }], poolAttrs(attrs));
  },
  // Unfold every window with a Conv of one-hot kernels (exact: one product by 1 per output),
  // route each output's gradient to the first element equal to its max, and fold the windows
  // back with the matching ConvTranspose, which also sums overlapping windows.
  backward(g, { inputs: [x], outputs: [y], attrs }, [gy]) {
    const [n, c, ...spatial] = x.shape;
    const pooled = y.shape.slice(2);
    const offsets = attrs.kernel.reduce((a, b) => a * b, 1);
    const oneHot = g.constant(
      Array.from({ length: offsets * offsets }, (_, i) => (Math.floor(i / offsets) === i % offsets ? 1 : 0)),
      [offsets, 1, ...attrs.kernel],
      x.dtype,
      'window_offsets',
    );
    const windows = conv(reshape(x, [n * c, 1, ...spatial]), oneHot, attrs);
    const perWindow = (t: Tensor) => reshape(t, [n * c, 1, ...pooled]);
    const route = x.graph.apply(FirstMaxOp, [windows, perWindow(y)], windowValidity(spatial, attrs))[0];
    const folded = convTransposeTo(mul(route, perWindow(gy!)), oneHot, attrs, spatial);
    return [reshape(folded, x.shape)];
  },
};

/** 1 where offset k of window p lies inside the unpadded input, as [K, ...pooled] row-major. */
function windowValidity(spatial: Shape, attrs: PoolAttrs): number[] {
  const pooled = spatial.map((d, i) => outputSize(d, attrs.kernel[i], i, attrs));
  const valid: number[] = [];
  const each = (shape: readonly number[], visit: (index: number[]) => void) => {
    const index = new Array<number>(shape.length).fill(0);
    for (let count = shape.reduce((a, b) => a * b, 1); count > 0; count--) {
      visit(index);
      for (let axis = shape.length - 1; axis >= 0 && ++index[axis] === shape[axis]; axis--) index[axis] = 0;
    }
  };
  each(attrs.kernel, (k) => {
    each(pooled, (p) => {
      const inside = p.every((v, i) => {
        const q = v * attrs.strides[i] + k[i] - attrs.pads[i];
        return q >= 0 && q < spatial[i];
      });
      valid.push(inside ? 1 : 0);
    });
  });
  return valid;
}

/**
 * For windows [M, K, ...pooled] and maxima [M, 1, ...pooled]: 1 at the first offset (in window
 * order) holding the max, 0 elsewhere. Piecewise constant, so it passes no gradient.
 */
const FirstMaxOp: Op<number[]> = {
  name: 'FirstMax',
  forward(g, [windows, maxima], valid) {
    const like = { shape: windows.shape, dtype: windows.dtype };
    const [equal] = g.node('Equal', [windows, maxima], [{ shape: windows.shape, dtype: 'bool' }]);
    const validity = g.constant(valid, windows.shape.slice(1), windows.dtype, 'window_validity');
    const [hits] = g.node(
      'Mul',
      [g.node('Cast', [equal], [like], { to: { int: onnxDataType[windows.dtype] } })[0], validity],
      [like],
    );
    const [seen] = g.node('CumSum', [hits, g.scalar(1, 'int64')], [like]);
    const [first] = g.node(
      'Equal',
      [seen, g.scalar(1, windows.dtype)],
      [{ shape: windows.shape, dtype: 'bool' }],
    );
    const [firstHits] = g.node('Cast', [first], [like], { to: { int: onnxDataType[windows.dtype] } });
    return g.node('Mul', [firstHits, hits], [like]);
  },
  backward: () => [null, null],
};

/** Max over windows of x [N, C, ...spatial]; padding never wins. */
export function maxPool(x: Tensor, options: PoolOptions): Tensor {
  return x.graph.apply(MaxPoolOp, [x], poolGeometry('MaxPool', x, options))[0];
}
