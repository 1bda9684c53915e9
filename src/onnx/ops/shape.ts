// Shape ops: they move values around without arithmetic, so each gradient is the inverse move.
import { formatShape, type Shape, sizeOf } from '../dtype.ts';
import { type Op, ShapeError, type Tensor } from '../graph.ts';
import { fill, unbroadcast } from './elementwise.ts';

const ReshapeOp: Op<Shape> = {
  name: 'Reshape',
  forward(g, [x], shape) {
    return g.node('Reshape', [x, g.int64s([...shape])], [{ shape, dtype: x.dtype }]);
  },
  backward: (_g, { inputs: [x] }, [gy]) => [reshape(gy!, x.shape)],
};

/** Reshape with at most one -1 (inferred) dimension. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1);
  const inferred = shape.length - known.length;
  if (inferred > 1) throw new ShapeError('Reshape', `more than one -1 in ${formatShape(shape)}`, [x]);
  const full = shape.map((d) => (d === -1 ? x.size / sizeOf(known) : d));
  if (sizeOf(full) !== x.size || full.some((d) => !Number.isInteger(d))) {
    throw new ShapeError('Reshape', `cannot reshape to ${formatShape(shape)}`, [x]);
  }
  if (full.join() === x.shape.join()) return x;
  return x.graph.apply(ReshapeOp, [x], full)[0];
}

const TransposeOp: Op<readonly number[]> = {
  name: 'Transpose',
  forward(g, [x], perm) {
    return g.node('Transpose', [x], [{ shape: perm.map((p) => x.shape[p]), dtype: x.dtype }], {
      perm: { ints: perm },
    });
  },
  backward(_g, { attrs: perm }, [gy]) {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inverse[p] = i;
    });
    return [transpose(gy!, inverse)];
  },
};

export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new ShapeError('Transpose', `perm [${perm}] is not a permutation of the axes`, [x]);
  }
  if (perm.every((p, i) => p === i)) return x;
  return x.graph.apply(TransposeOp, [x], perm)[0];
}

/** Swaps the last two axes (matrix transpose of a batch of matrices). */
export function transposeLast(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return transpose(x, perm);
}

interface SliceAttrs {
  axis: number;
  start: number;
  end: number;
}

const SliceOp: Op<SliceAttrs> = {
  name: 'Slice',
  forward(g, [x], { axis, start, end }) {
    const shape = [...x.shape];
    shape[axis] = end - start;
    return g.node(
      'Slice',
      [x, g.int64s([start]), g.int64s([end]), g.int64s([axis])],
      [{ shape, dtype: x.dtype }],
    );
  },
  backward(_g, { inputs: [x], attrs: { axis, start, end } }, [gy]) {
    const before = new Array<number>(x.rank).fill(0);
    const after = new Array<number>(x.rank).fill(0);
    before[axis] = start;
    after[axis] = x.shape[axis] - end;
    return [pad(gy!, before, after)];
  },
};

/** x[..., start:end, ...] along one axis. */
export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  const a = axis < 0 ? axis + x.rank : axis;
  if (a < 0 || a >= x.rank || start < 0 || end > x.shape[a] || start >= end) {
    throw new ShapeError('Slice', `bad range ${start}:${end} on axis ${axis}`, [x]);
  }
  if (start === 0 && end === x.shape[a]) return x;
  return x.graph.apply(SliceOp, [x], { axis: a, start, end })[0];
}

const ConcatOp: Op<number> = {
  name: 'Concat',
  forward(g, inputs, axis) {
    const shape = [...inputs[0].shape];
    shape[axis] = inputs.reduce((n, t) => n + t.shape[axis], 0);
    return g.node('Concat', inputs, [{ shape, dtype: inputs[0].dtype }], { axis: { int: axis } });
  },
  backward(_g, { inputs, attrs: axis }, [gy]) {
    let offset = 0;
    return inputs.map((t) => {
      const part = slice(gy!, axis, offset, offset + t.shape[axis]);
      offset += t.shape[axis];
      return part;
    });
  },
};

export function concat(inputs: readonly Tensor[], axis: number): Tensor {
  if (inputs.length === 0) throw new Error('Concat: no inputs');
  const a = axis < 0 ? axis + inputs[0].rank : axis;
  for (const t of inputs) {
    if (
      t.rank !== inputs[0].rank ||
      t.dtype !== inputs[0].dtype ||
      t.shape.some((d, i) => i !== a && d !== inputs[0].shape[i])
    ) {
      throw new ShapeError('Concat', `inputs disagree off axis ${axis}`, inputs);
    }
  }
  if (inputs.length === 1) return inputs[0];
  return inputs[0].graph.apply(ConcatOp, inputs, a)[0];
}

const SplitOp: Op<{ axis: number; sizes: readonly number[] }> = {
  name: 'Split',
  forward(g, [x], { axis, sizes }) {
    return g.node(
      'Split',
      [x, g.int64s([...sizes])],
      sizes.map((s) => {
        const shape = [...x.shape];
        shape[axis] = s;
        return { shape, dtype: x.dtype };
      }),
      { axis: { int: axis } },
    );
  },
  backward(g, { outputs, attrs: { axis } }, gys) {
    return [
      concat(
        gys.map((gy, i) => gy ?? fill(g, outputs[i].shape, 0, outputs[i].dtype)),
        axis,
      ),
    ];
  },
};

export function split(x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const a = axis < 0 ? axis + x.rank : axis;
  if (sizes.reduce((n, s) => n + s, 0) !== x.shape[a]) {
    throw new ShapeError('Split', `sizes [${sizes}] do not add up to axis ${axis}`, [x]);
  }
  return x.graph.apply(SplitOp, [x], { axis: a, sizes });
}

const ExpandOp: Op<Shape> = {
  name: 'Expand',
  forward(g, [x], shape) {
    return g.node('Expand', [x, g.int64s([...shape])], [{ shape, dtype: x.dtype }]);
  },
  backward: (_g, { inputs: [x] }, [gy]) => [unbroadcast(gy!, x.shape)],
};

export function expand(x: Tensor, shape: Shape): Tensor {
  if (x.shape.join() === shape.join()) return x;
  return x.graph.apply(ExpandOp, [x], shape)[0];
}

/** Inserts a size-1 axis (a reshape, so its gradient is a reshape). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = axis < 0 ? axis + x.rank + 1 : axis;
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

export function squeeze(x: Tensor, axis: number): Tensor {
  const a = axis < 0 ? axis + x.rank : axis;
  if (x.shape[a] !== 1) throw new ShapeError('Squeeze', `axis ${axis} has size ${x.shape[a]}, not 1`, [x]);
  return reshape(
    x,
    x.shape.filter((_, i) => i !== a),
  );
}

interface PadAttrs {
  before: readonly number[];
  after: readonly number[];
}

const PadOp: Op<PadAttrs> = {
  name: 'Pad',
  forward(g, [x], { before, after }) {
    const shape = x.shape.map((d, i) => d + before[i] + after[i]);
    return g.node('Pad', [x, g.int64s([...before, ...after])], [{ shape, dtype: x.dtype }]);
  },
  backward(_g, { inputs: [x], attrs: { before } }, [gy]) {
    let out = gy!;
    x.shape.forEach((d, axis) => {
      out = slice(out, axis, before[axis], before[axis] + d);
    });
    return [out];
  },
};

/** Zero padding: `before[i]` and `after[i]` elements added on each side of axis i. */
export function pad(x: Tensor, before: readonly number[], after: readonly number[]): Tensor {
  if (before.length !== x.rank || after.length !== x.rank || [...before, ...after].some((p) => p < 0)) {
    throw new ShapeError('Pad', `pads [${before}] / [${after}] do not fit`, [x]);
  }
  if ([...before, ...after].every((p) => p === 0)) return x;
  return x.graph.apply(PadOp, [x], { before, after })[0];
}
