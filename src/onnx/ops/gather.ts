// Indexing: Gather (embedding lookups and general takes along an axis), the scatter-add that is
// its gradient, and one-hot encoding.
import { type DType, formatShape, type Shape } from '../dtype.ts';
import { type Op, ShapeError, type Tensor } from '../graph.ts';
import { cast, equal } from './elementwise.ts';
import { transpose, unsqueeze } from './shape.ts';

function isIndex(t: Tensor): boolean {
  return t.dtype === 'int64' || t.dtype === 'int32';
}

const GatherOp: Op<number> = {
  name: 'Gather',
  forward(g, [x, indices], axis) {
    const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    return g.node('Gather', [x, indices], [{ shape, dtype: x.dtype }], { axis: { int: axis } });
  },
  backward(_g, { inputs: [x, indices], attrs: axis }, [gy]) {
    if (axis === 0) return [scatterAddRows(x.shape, indices, gy!), null];
    // Bring the gathered axis to the front, scatter rows there, and move it back.
    const k = indices.rank;
    const leading = Array.from({ length: axis }, (_, i) => i);
    const trailing = Array.from({ length: x.rank - axis - 1 }, (_, i) => axis + k + i);
    const gathered = Array.from({ length: k }, (_, i) => axis + i);
    const rows = transpose(gy!, [...gathered, ...leading, ...trailing]);
    const frontShape = [x.shape[axis], ...x.shape.slice(0, axis), ...x.shape.slice(axis + 1)];
    const front = scatterAddRows(frontShape, indices, rows);
    const back = [
      ...Array.from({ length: axis }, (_, i) => i + 1),
      0,
      ...trailing.map((_, i) => axis + 1 + i),
    ];
    return [transpose(front, back), null];
  },
};

/** x.take(indices, axis): the output has indices' shape in place of the axis. Negative ids count from the end. */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  const a = axis < 0 ? axis + x.rank : axis;
  if (a < 0 || a >= x.rank) throw new ShapeError('Gather', `axis ${axis} out of range`, [x, indices]);
  if (!isIndex(indices)) throw new ShapeError('Gather', 'indices must be int64 or int32', [x, indices]);
  return x.graph.apply(GatherOp, [x, indices], a)[0];
}

/** Rows of `table` ([vocabulary, ...]) for `ids` of any shape: the output is [...ids.shape, ...]. */
export function embedding(table: Tensor, ids: Tensor): Tensor {
  return gather(table, ids, 0);
}

const ScatterAddRowsOp: Op<Shape> = {
  name: 'ScatterAddRows',
  forward(g, [indices, updates], shape) {
    const zeros = g.node(
      'Expand',
      [g.scalar(0, updates.dtype), g.int64s([...shape])],
      [{ shape, dtype: updates.dtype }],
    )[0];
    const ids =
      indices.dtype === 'int64'
        ? indices
        : g.node('Cast', [indices], [{ shape: indices.shape, dtype: 'int64' }], { to: { int: 7 } })[0];
    const index = g.node(
      'Unsqueeze',
      [ids, g.int64s([-1])],
      [{ shape: [...indices.shape, 1], dtype: 'int64' }],
    )[0];
    return g.node('ScatterND', [zeros, index, updates], [{ shape, dtype: updates.dtype }], {
      reduction: { string: 'add' },
    });
  },
  backward: (_g, { inputs: [indices] }, [gy]) => [null, gather(gy!, indices, 0)],
};

/**
 * zeros(shape) with updates[i...] added into row indices[i...]; repeated indices accumulate
 * (ScatterND with reduction 'add'), which is what an embedding's gradient needs.
 */
export function scatterAddRows(shape: Shape, indices: Tensor, updates: Tensor): Tensor {
  const expected = [...indices.shape, ...shape.slice(1)];
  if (updates.shape.join() !== expected.join() || !isIndex(indices)) {
    throw new ShapeError(
      'ScatterAddRows',
      `updates must have shape ${formatShape(expected)} to add into ${formatShape(shape)}`,
      [indices, updates],
    );
  }
  return updates.graph.apply(ScatterAddRowsOp, [indices, updates], shape)[0];
}

/**
 * One-hot vectors along a new last axis. Composed from Equal against the class ids because
 * onnxruntime's OneHot kernel has no float64 variant; out-of-range ids give all zeros.
 */
export function oneHot(ids: Tensor, depth: number, dtype: DType = 'float32'): Tensor {
  if (!isIndex(ids)) throw new ShapeError('OneHot', 'ids must be int64 or int32', [ids]);
  const classes = ids.graph.constant(
    Array.from({ length: depth }, (_, i) => i),
    [depth],
    ids.dtype,
    'classes',
  );
  return cast(equal(unsqueeze(ids, -1), classes), dtype);
}
