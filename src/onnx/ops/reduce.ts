// Reductions over axes (ONNX opset 18+ takes axes as an input tensor).
import type { Shape } from '../dtype.ts';
import { type Op, ShapeError, type Tensor } from '../graph.ts';
import { cast, div, equal, mul } from './elementwise.ts';
import { expand, reshape } from './shape.ts';

interface ReduceAttrs {
  axes: readonly number[];
  keepdims: boolean;
}

function normaliseAxes(op: string, x: Tensor, axes: readonly number[]): number[] {
  const out = axes.map((a) => (a < 0 ? a + x.rank : a));
  if (out.some((a) => a < 0 || a >= x.rank)) throw new ShapeError(op, `axes [${axes}] out of range`, [x]);
  return [...new Set(out)].sort((p, q) => p - q);
}

function reducedShape(x: Tensor, axes: readonly number[], keepdims: boolean): Shape {
  const out: number[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

/** Brings a reduced gradient back to the input's shape: restore the kept dims, then broadcast. */
function spread(gy: Tensor, x: Tensor, { axes }: ReduceAttrs): Tensor {
  return expand(reshape(gy, reducedShape(x, axes, true)), x.shape);
}

function reduceOp(onnxType: string, backward: Op<ReduceAttrs>['backward']): Op<ReduceAttrs> {
  return {
    name: onnxType,
    forward(g, [x], attrs) {
      return g.node(
        onnxType,
        [x, g.int64s([...attrs.axes])],
        [{ shape: reducedShape(x, attrs.axes, attrs.keepdims), dtype: x.dtype }],
        {
          keepdims: { int: attrs.keepdims ? 1 : 0 },
        },
      );
    },
    backward,
  };
}

const ReduceSumOp = reduceOp('ReduceSum', (_g, { inputs: [x], attrs }, [gy]) => [spread(gy!, x, attrs)]);
const ReduceMeanOp = reduceOp('ReduceMean', (_g, { inputs: [x], attrs }, [gy]) => {
  const count = attrs.axes.reduce((n, a) => n * x.shape[a], 1);
  return [spread(div(gy!, count), x, attrs)];
});
// Ties share the gradient equally, as the subgradient that keeps finite differences honest.
const ReduceMaxOp = reduceOp('ReduceMax', (_g, { inputs: [x], outputs: [y], attrs }, [gy]) => {
  const isMax = cast(equal(x, spread(y, x, attrs)), x.dtype);
  const ties = spread(reduceSum(isMax, attrs.axes, attrs.keepdims), x, attrs);
  return [div(mul(isMax, spread(gy!, x, attrs)), ties)];
});

export function reduceSum(x: Tensor, axes: readonly number[], keepdims = false): Tensor {
  const attrs = { axes: normaliseAxes('ReduceSum', x, axes), keepdims };
  return x.graph.apply(ReduceSumOp, [x], attrs)[0];
}

export function reduceMean(x: Tensor, axes: readonly number[], keepdims = false): Tensor {
  const attrs = { axes: normaliseAxes('ReduceMean', x, axes), keepdims };
  return x.graph.apply(ReduceMeanOp, [x], attrs)[0];
}

export function reduceMax(x: Tensor, axes: readonly number[], keepdims = false): Tensor {
  const attrs = { axes: normaliseAxes('ReduceMax', x, axes), keepdims };
  return x.graph.apply(ReduceMaxOp, [x], attrs)[0];
}

/** Sum of every element, as a rank-0 tensor. */
export function sumAll(x: Tensor): Tensor {
  return reduceSum(
    x,
    x.shape.map((_, i) => i),
    false,
  );
}

export function meanAll(x: Tensor): Tensor {
  return reduceMean(
    x,
    x.shape.map((_, i) => i),
    false,
  );
}
