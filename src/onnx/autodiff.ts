// Reverse-mode autodiff over the graph's tape. Gradient rules are written with the same ops as
// forward code, so the backward pass is plain ONNX (no com.microsoft training ops, which the
// inference builds of onnxruntime lack) and is itself on the tape.
import { isFloat } from './dtype.ts';
import type { Graph, Tensor } from './graph.ts';
import { add, fill } from './ops/elementwise.ts';

/**
 * Gradients of a scalar `loss` with respect to each tensor of `wrt` (parameters or inputs).
 * A tensor that the loss does not depend on gets a zero gradient of its shape.
 * `seed` replaces the implicit d(loss)/d(loss) = 1 (vector-Jacobian products, accumulation).
 */
export function grad(loss: Tensor, wrt: readonly Tensor[], seed?: Tensor): Tensor[] {
  const g = loss.graph;
  if (!seed && loss.size !== 1) {
    throw new Error(`grad: the loss ${loss} must be a scalar, or give a seed of its shape`);
  }
  const tape = g.tape.slice();
  // Which values depend on the tensors we differentiate with respect to: gradient rules run
  // only where they can reach one of them.
  const dependent = new Set(wrt.map((t) => t.name));
  for (const app of tape) {
    if (app.inputs.some((t) => dependent.has(t.name))) for (const o of app.outputs) dependent.add(o.name);
  }
  if (!dependent.has(loss.name)) return wrt.map((t) => zerosLike(g, t));

  const grads = new Map<string, Tensor>();
  grads.set(loss.name, seed ?? fill(g, loss.shape, 1, loss.dtype));
  g.scope('grad', () => {
    for (let i = tape.length - 1; i >= 0; i--) {
      const app = tape[i];
      const gradOutputs = app.outputs.map((o) => grads.get(o.name) ?? null);
      if (gradOutputs.every((x) => x === null)) continue;
      if (!app.inputs.some((t) => dependent.has(t.name) && isFloat(t.dtype))) continue;
      if (!app.op.backward) {
        throw new Error(`grad: op ${app.op.name} (in ${app.scope || 'the model'}) has no gradient rule`);
      }
      const gradInputs = g.scope(app.scope ? `${app.scope}/${app.op.name}` : app.op.name, () =>
        app.op.backward!(g, app, gradOutputs),
      );
      app.inputs.forEach((input, k) => {
        const gi = gradInputs[k];
        if (!gi || !dependent.has(input.name) || !isFloat(input.dtype)) return;
        if (gi.shape.join() !== input.shape.join()) {
          throw new Error(
            `grad: rule of ${app.op.name} gave a gradient of shape [${gi.shape}] for input ${input} of shape [${input.shape}]`,
          );
        }
        const prev = grads.get(input.name);
        grads.set(input.name, prev ? add(prev, gi) : gi);
      });
    }
  });
  return wrt.map((t) => grads.get(t.name) ?? zerosLike(g, t));
}

function zerosLike(g: Graph, t: Tensor): Tensor {
  return fill(g, t.shape, 0, t.dtype);
}
