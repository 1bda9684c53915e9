// What every in-graph optimizer is: a rule that maps (parameters, gradients, state, learning
// rate, step) to new parameters and new state, appended to the training graph as plain ops.
import type { Graph, Tensor } from '../graph.ts';
import * as op from '../ops/index.ts';

/** A hyperparameter: a number baked into the graph, or a tensor (e.g. a graph input) computed per step. */
export type Hyper = number | Tensor;

export interface OptimizerInputs {
  params: readonly Tensor[];
  grads: readonly Tensor[];
  /** per parameter, its state tensors in the order of the optimizer's `slots` */
  state: readonly (readonly Tensor[])[];
  lr: Hyper;
  /** the 1-based number of this update as a float scalar (Adam's bias correction reads it) */
  step: Tensor;
}

export interface OptimizerOutputs {
  params: Tensor[];
  state: Tensor[][];
}

export interface Optimizer {
  readonly name: string;
  /** names of the per-parameter state tensors, each zero-initialised in its parameter's shape and dtype */
  readonly slots: readonly string[];
  update(g: Graph, inputs: OptimizerInputs): OptimizerOutputs;
}

/**
 * Which parameters weight decay (and LARS's trust ratio) applies to. The default, matrices and
 * larger, leaves out biases and LayerNorm/BatchNorm scales and shifts as BERT and SimCLR do;
 * pass a predicate on the name to leave out embeddings too.
 */
export type ParameterMask = (param: Tensor) => boolean;

export const matricesOnly: ParameterMask = (param) => param.rank >= 2;

/** A hyperparameter in the dtype of the tensor it combines with. */
export function hyper(value: Hyper, like: Tensor): op.Operand {
  return typeof value === 'number' ? value : op.cast(value, like.dtype);
}

/** Euclidean norm of a whole tensor, as a scalar. */
export function norm(x: Tensor): Tensor {
  return op.sqrt(op.sumAll(op.mul(x, x)));
}

export function checkInputs(name: string, { params, grads, state }: OptimizerInputs, slots: number): void {
  if (grads.length !== params.length || state.length !== params.length) {
    throw new Error(
      `${name}: ${params.length} parameters, ${grads.length} gradients and ${state.length} state lists`,
    );
  }
  state.forEach((s, i) => {
    if (s.length !== slots)
      throw new Error(
        `${name}: parameter ${params[i].name} has ${s.length} state tensors, expected ${slots}`,
      );
  });
}

/** a · b, folded to a number when both hyperparameters are numbers. */
export function times(a: op.Operand, b: op.Operand): op.Operand {
  return typeof a === 'number' && typeof b === 'number' ? a * b : op.mul(a, b);
}

/** 1 - a, folded to a number when a is one. */
export function oneMinus(a: op.Operand): op.Operand {
  return typeof a === 'number' ? 1 - a : op.sub(1, a);
}
