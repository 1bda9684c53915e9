// The step compiler: turns a model's forward function into a training Program (forward,
// backward, clipping, schedule, optimizer update and gradient accumulation in one ONNX graph)
// and an evaluation Program over the same parameter names, and exports a standalone inference
// model with the parameters baked in.
//
// Naming contract (what the runtime relies on):
// - batch inputs keep the names the model gave them;
// - each parameter is fed under its own name; its new value comes out as `next/<name>`;
// - optimizer state is fed as `state/<parameter>/<slot>` (slots: m, v, momentum, accum) and
//   `state/step` (int64, the number of training steps run so far); each comes out as
//   `next/<state name>`; every state starts at zero;
// - scalars: `loss`, the model's metrics, `lr`, and `grad_norm` when clipping.
import { grad } from './autodiff.ts';
import type { Shape } from './dtype.ts';
import { onnxDataType, sizeOf, toBytes } from './dtype.ts';
import { Graph, type Tensor } from './graph.ts';
import * as op from './ops/index.ts';
import { clipByGlobalNorm } from './optim/clip.ts';
import type { Optimizer } from './optim/optimizer.ts';
import { constant, type Schedule } from './optim/schedule.ts';
import type { Program, ProgramParameter, ProgramState, TensorSpec } from './program.ts';
import { ModelProto } from './proto.ts';

export interface StepContext {
  /** false in eval programs: dropout off, batch norm on running statistics */
  training: boolean;
}

/** A model-maintained value that is not learned by gradient, e.g. BatchNorm running statistics. */
export interface StateUpdate {
  /** a frozen parameter (declared with `trainable: false`) */
  parameter: Tensor;
  /** its value after this step */
  next: Tensor;
}

export interface StepDefinition {
  /** a scalar; required for training */
  loss?: Tensor;
  metrics?: Record<string, Tensor>;
  outputs?: Record<string, Tensor>;
  stateUpdates?: StateUpdate[];
}

/** Declares the batch inputs and parameters on `g` and returns what the step computes. */
export type BuildStep = (g: Graph, context: StepContext) => StepDefinition;

export interface TrainStepOptions {
  build: BuildStep;
  /** or a function of the graph, for hyperparameters fed as graph inputs */
  optimizer: Optimizer | ((g: Graph) => Optimizer);
  /** learning rate per update; a number is a constant schedule */
  schedule: Schedule | number;
  /** clip the global gradient norm to this value */
  clipNorm?: number;
  /** apply the update every k-th step with the mean of k steps' gradients (default 1) */
  accumulate?: number;
  name?: string;
}

const STEP = 'state/step';
const next = (name: string) => `next/${name}`;

export function compileTrainStep({
  build,
  optimizer,
  schedule,
  clipNorm,
  accumulate = 1,
  name = 'train_step',
}: TrainStepOptions): Program {
  if (!Number.isInteger(accumulate) || accumulate < 1) {
    throw new Error(`compileTrainStep: accumulate must be a positive integer, got ${accumulate}`);
  }
  const g = new Graph(name);
  const definition = build(g, { training: true });
  const { loss } = definition;
  if (!loss) throw new Error(`compileTrainStep ${name}: the model returned no loss`);
  if (loss.size !== 1) throw new Error(`compileTrainStep ${name}: the loss ${loss} is not a scalar`);
  const trainable = g.parameters.filter((p) => p.trainable).map((p) => p.tensor);
  if (trainable.length === 0) throw new Error(`compileTrainStep ${name}: no trainable parameters`);
  const gradients = grad(loss, trainable);

  const state: ProgramState[] = [];
  const stateInput = (stateName: string, shape: Shape, like: Tensor | null): Tensor => {
    const dtype = like?.dtype ?? 'int64';
    const t = g.input(stateName, shape, dtype);
    const n = sizeOf(shape);
    const init =
      dtype === 'int64'
        ? new BigInt64Array(n)
        : dtype === 'float64'
          ? new Float64Array(n)
          : new Float32Array(n);
    state.push({ name: stateName, shape, dtype, init, updatedBy: next(stateName) });
    return t;
  };
  const stepIn = stateInput(STEP, [], null);
  g.output(next(STEP), op.add(stepIn, 1));

  const dtype = trainable[0].dtype;
  let applied: Tensor | null = null;
  let updates = stepIn;
  let effective = gradients;
  if (accumulate > 1) {
    updates = op.div(stepIn, accumulate);
    applied = op.equal(op.sub(stepIn, op.mul(updates, accumulate)), accumulate - 1);
    const gate = applied;
    effective = trainable.map((p, i) => {
      const sum = op.add(stateInput(`state/${p.name}/accum`, p.shape, p), gradients[i]);
      g.output(next(`state/${p.name}/accum`), op.where(gate, g.scalar(0, p.dtype), sum));
      return op.div(sum, accumulate);
    });
  }
  const scalars: Record<string, Tensor> = { loss, ...definition.metrics };
  const t = op.cast(updates, dtype);
  const lr = typeof schedule === 'number' ? constant(schedule)(g, t) : schedule(g, t);
  addScalar(scalars, 'lr', lr);
  if (clipNorm !== undefined) {
    const clipped = clipByGlobalNorm(effective, clipNorm);
    effective = clipped.grads;
    addScalar(scalars, 'grad_norm', clipped.norm);
  }
  const rule = typeof optimizer === 'function' ? optimizer(g) : optimizer;
  const slots = trainable.map((p) =>
    rule.slots.map((slot) => stateInput(`state/${p.name}/${slot}`, p.shape, p)),
  );
  const result = rule.update(g, {
    params: trainable,
    grads: effective,
    state: slots,
    lr,
    step: op.add(t, 1),
  });
  const keep = (fresh: Tensor, old: Tensor) => (applied ? op.where(applied, fresh, old) : fresh);
  trainable.forEach((p, i) => {
    g.output(next(p.name), keep(result.params[i], p));
    result.state[i].forEach((s, k) => {
      g.output(next(slots[i][k].name), keep(s, slots[i][k]));
    });
  });

  const updated = new Set(trainable.map((p) => p.name));
  for (const { parameter, next: value } of definition.stateUpdates ?? []) {
    const declared = g.parameters.find((p) => p.tensor === parameter);
    if (!declared || declared.trainable) {
      throw new Error(
        `compileTrainStep ${name}: state update of ${parameter.name}, which is not a frozen parameter`,
      );
    }
    if (value.shape.join() !== parameter.shape.join() || value.dtype !== parameter.dtype) {
      throw new Error(`compileTrainStep ${name}: state update ${value} does not match ${parameter}`);
    }
    g.output(next(parameter.name), value);
    updated.add(parameter.name);
  }
  // batch inputs are every input but state, including any a schedule or optimizer declared
  const stateNames = new Set(state.map((s) => s.name));
  const batchInputs = g.inputs.filter((t) => !stateNames.has(t.name));
  return assemble(g, 'train', definition, scalars, batchInputs, state, updated);
}

export interface EvalStepOptions {
  build: BuildStep;
  name?: string;
  /** declare every intermediate's shape in the model (value_info), e.g. to count its FLOPs */
  valueInfo?: boolean;
}

/** The model in evaluation mode, over the same parameter names as its training program. */
export function compileEvalStep({ build, name = 'eval_step', valueInfo = false }: EvalStepOptions): Program {
  const g = new Graph(name);
  const definition = build(g, { training: false });
  if (definition.stateUpdates?.length) {
    throw new Error(`compileEvalStep ${name}: the model updates state in evaluation mode`);
  }
  const scalars: Record<string, Tensor> = { ...definition.metrics };
  if (definition.loss) scalars.loss = definition.loss;
  return assemble(g, 'eval', definition, scalars, [...g.inputs], [], new Set(), valueInfo);
}

function addScalar(scalars: Record<string, Tensor>, key: string, value: Tensor): void {
  if (key in scalars) throw new Error(`the metric name ${key} is reserved by the compiler`);
  scalars[key] = value;
}

function assemble(
  g: Graph,
  kind: Program['kind'],
  definition: StepDefinition,
  scalars: Record<string, Tensor>,
  batchInputs: readonly Tensor[],
  state: ProgramState[],
  updated: ReadonlySet<string>,
  valueInfo = false,
): Program {
  for (const [key, value] of Object.entries(scalars)) {
    if (value.size !== 1) throw new Error(`${g.name}: the scalar ${key} has shape [${value.shape}]`);
    g.output(key, value);
  }
  const outputs = Object.entries(definition.outputs ?? {}).map(([key, value]) => {
    g.output(key, value);
    return spec(key, value);
  });
  const parameters: ProgramParameter[] = g.parameters.map((p) => ({
    ...spec(p.tensor.name, p.tensor),
    init: p.values,
    trainable: p.trainable,
    ...(updated.has(p.tensor.name) ? { updatedBy: next(p.tensor.name) } : {}),
  }));
  return {
    kind,
    model: g.toModel({ parameters: 'inputs', valueInfo }),
    batch: batchInputs.map((t) => spec(t.name, t)),
    parameters,
    state,
    scalars: Object.keys(scalars),
    outputs,
  };
}

function spec(name: string, t: Tensor): TensorSpec {
  return { name, shape: t.shape, dtype: t.dtype };
}

/**
 * A standalone ONNX model of an eval program with the parameters baked in as initializers, for
 * stock onnxruntime in any language. Parameters missing from `parameterValues` keep their
 * initial values.
 */
export function exportInference(
  program: Program,
  parameterValues: ReadonlyMap<string, Float32Array | Float64Array>,
): Uint8Array {
  if (program.kind !== 'eval') throw new Error('exportInference: export an eval program, not a training one');
  const model = ModelProto.toObject(ModelProto.decode(program.model), { defaults: false }) as {
    graph: { input: { name: string }[]; initializer?: unknown[] };
  };
  const baked = new Set(program.parameters.map((p) => p.name));
  for (const name of parameterValues.keys()) {
    if (!baked.has(name)) throw new Error(`exportInference: ${name} is not a parameter of the program`);
  }
  model.graph.input = model.graph.input.filter((i) => !baked.has(i.name));
  model.graph.initializer = [
    ...(model.graph.initializer ?? []),
    ...program.parameters.map((p) => {
      const values = parameterValues.get(p.name) ?? p.init;
      const expected = p.dtype === 'float64' ? Float64Array : Float32Array;
      if (values.length !== sizeOf(p.shape) || !(values instanceof expected)) {
        throw new Error(
          `exportInference: ${p.name} needs ${sizeOf(p.shape)} ${p.dtype} values, got ${values.length} in a ${values.constructor.name}`,
        );
      }
      return {
        name: p.name,
        dims: [...p.shape],
        dataType: onnxDataType[p.dtype],
        rawData: toBytes(p.dtype, values),
      };
    }),
  ];
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}
