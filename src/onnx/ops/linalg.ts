// Matrix products. MatMul broadcasts batch dimensions like numpy; its gradient is two MatMuls
// with a transposed operand, summed back over broadcast batch dimensions.
import { type Op, ShapeError, type Tensor } from '../graph.ts';
import { broadcastShapes, unbroadcast } from './elementwise.ts';
import { transposeLast } from './shape.ts';

const MatMulOp: Op = {
  name: 'MatMul',
  forward(g, [a, b]) {
    if (a.rank < 2 || b.rank < 2) throw new ShapeError('MatMul', 'operands must have rank >= 2', [a, b]);
    if (a.dtype !== b.dtype) throw new ShapeError('MatMul', 'dtypes differ', [a, b]);
    const k = a.shape[a.rank - 1];
    if (b.shape[b.rank - 2] !== k) throw new ShapeError('MatMul', 'inner dimensions differ', [a, b]);
    const batch = broadcastShapes('MatMul', [a, b], [a.shape.slice(0, -2), b.shape.slice(0, -2)]);
    const shape = [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]];
    return g.node('MatMul', [a, b], [{ shape, dtype: a.dtype }]);
  },
  backward(_g, { inputs: [a, b] }, [gy]) {
    return [
      unbroadcast(matmul(gy!, transposeLast(b)), a.shape),
      unbroadcast(matmul(transposeLast(a), gy!), b.shape),
    ];
  },
};

export function matmul(a: Tensor, b: Tensor): Tensor {
  return a.graph.apply(MatMulOp, [a, b], undefined)[0];
}
