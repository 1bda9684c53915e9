// Elementwise ops with numpy broadcasting, and their gradient rules.
import { type DType, formatShape, isFloat, type Shape } from '../dtype.ts';
import { type Graph, type Op, ShapeError, Tensor } from '../graph.ts';
import { reduceSum } from './reduce.ts';
import { reshape } from './shape.ts';

export type Operand = Tensor | number;

export function broadcastShapes(
  op: string,
  inputs: readonly Tensor[],
  shapes: readonly Shape[] = inputs.map((t) => t.shape),
): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      const dim = k >= 0 ? s[k] : 1;
      if (dim === 1) continue;
      if (d !== 1 && d !== dim) throw new ShapeError(op, 'shapes do not broadcast', inputs);
      d = dim;
    }
    out.push(d);
  }
  return out;
}

/** Sums a broadcast gradient back down to the shape of the operand it flowed from. */
export function unbroadcast(grad: Tensor, shape: Shape): Tensor {
  if (grad.shape.join() === shape.join()) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? reduceSum(grad, axes, true) : grad;
  return summed.shape.join() === shape.join() ? summed : reshape(summed, shape);
}

function operands(a: Operand, b: Operand, op: string): [Tensor, Tensor] {
  if (a instanceof Tensor && b instanceof Tensor) {
    if (a.dtype !== b.dtype) throw new ShapeError(op, `dtypes differ (${a.dtype} vs ${b.dtype})`, [a, b]);
    return [a, b];
  }
  if (a instanceof Tensor) return [a, a.graph.scalar(b as number, a.dtype)];
  if (b instanceof Tensor) return [b.graph.scalar(a as number, b.dtype), b];
  throw new Error(`${op}: at least one operand must be a tensor`);
}

function binaryOp(onnxType: string, backward: Op['backward']): Op {
  return {
    name: onnxType,
    forward(g, [a, b]) {
      const shape = broadcastShapes(onnxType, [a, b]);
      return g.node(onnxType, [a, b], [{ shape, dtype: a.dtype }]);
    },
    backward,
  };
}

const AddOp = binaryOp('Add', (_g, { inputs: [a, b] }, [gy]) => [
  unbroadcast(gy!, a.shape),
  unbroadcast(gy!, b.shape),
]);
const SubOp = binaryOp('Sub', (_g, { inputs: [a, b] }, [gy]) => [
  unbroadcast(gy!, a.shape),
  unbroadcast(neg(gy!), b.shape),
]);
const MulOp = binaryOp('Mul', (_g, { inputs: [a, b] }, [gy]) => [
  unbroadcast(mul(gy!, b), a.shape),
  unbroadcast(mul(gy!, a), b.shape),
]);
const DivOp = binaryOp('Div', (_g, { inputs: [a, b], outputs: [y] }, [gy]) => [
  unbroadcast(div(gy!, b), a.shape),
  unbroadcast(neg(div(mul(gy!, y), b)), b.shape),
]);
const PowOp = binaryOp('Pow', (_g, { inputs: [a, b], outputs: [y] }, [gy]) => [
  unbroadcast(mul(gy!, mul(b, pow(a, sub(b, 1)))), a.shape),
  unbroadcast(mul(gy!, mul(y, log(a))), b.shape),
]);
const MaxOp = binaryOp('Max', (_g, { inputs: [a, b] }, [gy]) => {
  const takeA = cast(greaterOrEqual(a, b), a.dtype);
  return [unbroadcast(mul(gy!, takeA), a.shape), unbroadcast(mul(gy!, sub(1, takeA)), b.shape)];
});

export const add = (a: Operand, b: Operand) => applyBinary(AddOp, a, b);
export const sub = (a: Operand, b: Operand) => applyBinary(SubOp, a, b);
export const mul = (a: Operand, b: Operand) => applyBinary(MulOp, a, b);
export const div = (a: Operand, b: Operand) => applyBinary(DivOp, a, b);
export const pow = (a: Operand, b: Operand) => applyBinary(PowOp, a, b);
export const maximum = (a: Operand, b: Operand) => applyBinary(MaxOp, a, b);

function applyBinary(op: Op, a: Operand, b: Operand): Tensor {
  const [x, y] = operands(a, b, op.name);
  return x.graph.apply(op, [x, y], undefined)[0];
}

function unaryOp(
  onnxType: string,
  backward?: Op['backward'],
  attrs: Record<string, { float: number }> = {},
): Op {
  return {
    name: onnxType,
    forward(g, [x]) {
      return g.node(onnxType, [x], [{ shape: x.shape, dtype: x.dtype }], attrs);
    },
    backward,
  };
}

const NegOp = unaryOp('Neg', (_g, _app, [gy]) => [neg(gy!)]);
const ExpOp = unaryOp('Exp', (_g, { outputs: [y] }, [gy]) => [mul(gy!, y)]);
const LogOp = unaryOp('Log', (_g, { inputs: [x] }, [gy]) => [div(gy!, x)]);
const SqrtOp = unaryOp('Sqrt', (_g, { outputs: [y] }, [gy]) => [div(mul(gy!, 0.5), y)]);
const ReciprocalOp = unaryOp('Reciprocal', (_g, { outputs: [y] }, [gy]) => [neg(mul(gy!, mul(y, y)))]);
const AbsOp = unaryOp('Abs', (_g, { inputs: [x] }, [gy]) => [mul(gy!, sign(x))]);
const SignOp = unaryOp('Sign', () => [null]);
const ReluOp = unaryOp('Relu', (_g, { inputs: [x] }, [gy]) => [mul(gy!, cast(greater(x, 0), x.dtype))]);
const SigmoidOp = unaryOp('Sigmoid', (_g, { outputs: [y] }, [gy]) => [mul(gy!, mul(y, sub(1, y)))]);
const TanhOp = unaryOp('Tanh', (_g, { outputs: [y] }, [gy]) => [mul(gy!, sub(1, mul(y, y)))]);
const ErfOp = unaryOp('Erf', (_g, { inputs: [x] }, [gy]) => [
  mul(gy!, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))),
]);

export const neg = (x: Tensor) => x.graph.apply(NegOp, [x], undefined)[0];
export const exp = (x: Tensor) => x.graph.apply(ExpOp, [x], undefined)[0];
export const log = (x: Tensor) => x.graph.apply(LogOp, [x], undefined)[0];
export const sqrt = (x: Tensor) => x.graph.apply(SqrtOp, [x], undefined)[0];
export const reciprocal = (x: Tensor) => x.graph.apply(ReciprocalOp, [x], undefined)[0];
export const abs = (x: Tensor) => x.graph.apply(AbsOp, [x], undefined)[0];
export const sign = (x: Tensor) => x.graph.apply(SignOp, [x], undefined)[0];
export const relu = (x: Tensor) => x.graph.apply(ReluOp, [x], undefined)[0];
export const sigmoid = (x: Tensor) => x.graph.apply(SigmoidOp, [x], undefined)[0];
export const tanh = (x: Tensor) => x.graph.apply(TanhOp, [x], undefined)[0];
/** ONNX Erf has no float64 kernel in onnxruntime; float64 gradient checks compose GELU differently. */
export const erf = (x: Tensor) => x.graph.apply(ErfOp, [x], undefined)[0];

function compareOp(onnxType: string): Op {
  return {
    name: onnxType,
    forward(g, [a, b]) {
      return g.node(onnxType, [a, b], [{ shape: broadcastShapes(onnxType, [a, b]), dtype: 'bool' }]);
    },
    backward: () => [null, null],
  };
}
const GreaterOp = compareOp('Greater');
const GreaterOrEqualOp = compareOp('GreaterOrEqual');
const LessOp = compareOp('Less');
const EqualOp = compareOp('Equal');

export const greater = (a: Operand, b: Operand) => applyBinary(GreaterOp, a, b);
export const greaterOrEqual = (a: Operand, b: Operand) => applyBinary(GreaterOrEqualOp, a, b);
export const less = (a: Operand, b: Operand) => applyBinary(LessOp, a, b);
export const equal = (a: Operand, b: Operand) => applyBinary(EqualOp, a, b);

const NotOp: Op = {
  name: 'Not',
  forward: (g, [x]) => g.node('Not', [x], [{ shape: x.shape, dtype: 'bool' }]),
  backward: () => [null],
};
export const not = (x: Tensor) => x.graph.apply(NotOp, [x], undefined)[0];

const CastOp: Op<DType> = {
  name: 'Cast',
  forward(g, [x], to) {
    return g.node('Cast', [x], [{ shape: x.shape, dtype: to }], { to: { int: onnxCode(to) } });
  },
  backward(_g, { inputs: [x] }, [gy]) {
    return [isFloat(x.dtype) ? cast(gy!, x.dtype) : null];
  },
};

export function cast(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x;
  return x.graph.apply(CastOp, [x], to)[0];
}

function onnxCode(dtype: DType): number {
  return { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float64: 11 }[dtype];
}

const WhereOp: Op = {
  name: 'Where',
  forward(g, [cond, a, b]) {
    if (cond.dtype !== 'bool') throw new ShapeError('Where', 'the condition must be bool', [cond, a, b]);
    return g.node('Where', [cond, a, b], [{ shape: broadcastShapes('Where', [cond, a, b]), dtype: a.dtype }]);
  },
  backward(g, { inputs: [cond, a, b] }, [gy]) {
    const zero = g.scalar(0, gy!.dtype);
    return [null, unbroadcast(where(cond, gy!, zero), a.shape), unbroadcast(where(cond, zero, gy!), b.shape)];
  },
};

export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const [x, y] = operands(a, b, 'Where');
  return cond.graph.apply(WhereOp, [cond, x, y], undefined)[0];
}

const FillOp: Op<{ shape: Shape; value: number; dtype: DType }> = {
  name: 'Fill',
  forward(g, _inputs, { shape, value, dtype }) {
    return g.node('Expand', [g.scalar(value, dtype), g.int64s([...shape])], [{ shape, dtype }]);
  },
};

/** A tensor of one value; Expand of a scalar, so no large constant is stored in the model. */
export function fill(g: Graph, shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new Error(`fill: bad shape ${formatShape(shape)}`);
  return g.apply(FillOp, [], { shape, value, dtype })[0];
}
