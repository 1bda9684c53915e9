// The compute-graph builder: symbolic tensors with static shapes and dtypes, a tape of op
// applications for autodiff, and emission of an ONNX ModelProto. Models are written once as
// forward functions over these tensors; `grad` (autodiff.ts) appends the backward pass and the
// optimizers append their updates, so one graph maps (batch, parameters, state) to
// (loss, metrics, new parameters, new state) and runs as a plain InferenceSession.
import {
  type DType,
  formatShape,
  type HostArray,
  onnxDataType,
  type Shape,
  sizeOf,
  toBytes,
  typedArray,
} from './dtype.ts';
import { IR_VERSION, ModelProto, OPSET } from './proto.ts';

export type Attr =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { string: string };

export type Attrs = Record<string, Attr>;

export class Tensor {
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  toString(): string {
    return `${this.name}: ${this.dtype}${formatShape(this.shape)}`;
  }
}

/**
 * An op: a forward emitter and, when differentiable, a gradient rule built from other ops
 * (so the backward pass is derived and never written per model).
 */
export interface Op<A = void> {
  readonly name: string;
  forward(g: Graph, inputs: readonly Tensor[], attrs: A): Tensor[];
  /**
   * Gradients of the inputs given the gradients of the outputs (null where an output received
   * none). Returns null for inputs that are not differentiable (indices, masks, shapes).
   */
  backward?(g: Graph, app: Application<A>, gradOutputs: readonly (Tensor | null)[]): (Tensor | null)[];
}

export interface Application<A = unknown> {
  readonly op: Op<A>;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: A;
  readonly scope: string;
}

export class ShapeError extends Error {
  constructor(op: string, message: string, inputs: readonly Tensor[]) {
    super(`${op}: ${message} (inputs: ${inputs.map((t) => `${t.dtype}${formatShape(t.shape)}`).join(', ')})`);
    this.name = 'ShapeError';
  }
}

interface NodeRecord {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
  name: string;
}

interface Initializer {
  name: string;
  shape: Shape;
  dtype: DType;
  values: HostArray;
}

export interface ParameterInit {
  /** initial values, row-major; length must equal the shape's size */
  values: Float32Array | Float64Array;
}

export interface Parameter {
  readonly tensor: Tensor;
  readonly values: Float32Array | Float64Array;
  /** frozen parameters are fed like the others but get no gradient (probes, fine-tuning from a layer) */
  readonly trainable: boolean;
}

export interface ModelOptions {
  /**
   * `inputs`: parameters are graph inputs, fed each step (training graphs).
   * `initializers`: parameters are baked in (a standalone inference model for stock onnxruntime).
   */
  parameters?: 'inputs' | 'initializers';
  /** values to bake when parameters are initializers; defaults to each parameter's initial values */
  parameterValues?: ReadonlyMap<string, Float32Array | Float64Array>;
  docString?: string;
  metadata?: Record<string, string>;
  /** also declare the shape of every intermediate value (graph.value_info), e.g. for FLOP counts */
  valueInfo?: boolean;
}

export class Graph {
  readonly tape: Application[] = [];
  readonly inputs: Tensor[] = [];
  readonly parameters: Parameter[] = [];
  readonly outputs: { name: string; tensor: Tensor }[] = [];
  private readonly nodes: NodeRecord[] = [];
  private readonly valueTypes = new Map<string, { shape: Shape; dtype: DType }>();
  private readonly initializers: Initializer[] = [];
  private readonly names = new Set<string>();
  private readonly scalars = new Map<string, Tensor>();
  private scopes: string[] = [];
  private counter = 0;

  constructor(readonly name = 'constellation') {}

  /** Names nodes after the model part that made them, so profiles read like the model. */
  scope<T>(name: string, body: () => T): T {
    this.scopes.push(name);
    try {
      return body();
    } finally {
      this.scopes.pop();
    }
  }

  get currentScope(): string {
    return this.scopes.join('/');
  }

  private fresh(hint: string): string {
    const base = this.currentScope ? `${this.currentScope}/${hint}` : hint;
    let name = base;
    while (this.names.has(name)) name = `${base}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`graph ${this.name}: the name ${name} is already used`);
    this.names.add(name);
    return name;
  }

  input(name: string, shape: Shape, dtype: DType = 'float32'): Tensor {
    const t = new Tensor(this, this.claim(name), shape, dtype);
    this.inputs.push(t);
    return t;
  }

  parameter(name: string, shape: Shape, init: ParameterInit, options: { trainable?: boolean } = {}): Tensor {
    if (init.values.length !== sizeOf(shape)) {
      throw new Error(
        `parameter ${name}: ${init.values.length} initial values for shape ${formatShape(shape)}`,
      );
    }
    const dtype: DType = init.values instanceof Float64Array ? 'float64' : 'float32';
    const tensor = new Tensor(this, this.claim(name), shape, dtype);
    this.parameters.push({ tensor, values: init.values, trainable: options.trainable ?? true });
    return tensor;
  }

  /** A constant tensor stored as an initializer (ONNX keeps them out of the node list). */
  constant(
    values: HostArray | readonly number[],
    shape: Shape,
    dtype: DType = 'float32',
    hint = 'const',
  ): Tensor {
    if (values.length !== sizeOf(shape)) {
      throw new Error(`constant ${hint}: ${values.length} values for shape ${formatShape(shape)}`);
    }
    const name = this.fresh(hint);
    const typed = Array.isArray(values) ? undefined : (values as HostArray);
    this.initializers.push({
      name,
      shape,
      dtype,
      values: typed ?? typedArray(dtype, values as readonly number[]),
    });
    return new Tensor(this, name, shape, dtype);
  }

  /** A rank-0 constant, shared between uses of the same value and dtype. */
  scalar(value: number, dtype: DType = 'float32'): Tensor {
    const key = `${dtype}:${Object.is(value, -0) ? '-0' : value}`;
    let t = this.scalars.get(key);
    if (!t) {
      const saved = this.scopes;
      this.scopes = [];
      t = this.constant([value], [], dtype, `scalar_${dtype}_${String(value).replace(/[^0-9a-zA-Z]/g, '_')}`);
      this.scopes = saved;
      this.scalars.set(key, t);
    }
    return t;
  }

  /** A 1-D int64 constant, the form ONNX takes shapes, axes and indices in. */
  int64s(values: readonly number[]): Tensor {
    return this.constant(values, [values.length], 'int64', 'i64');
  }

  /** Applies an op: emits its forward nodes and records it on the tape for autodiff. */
  apply<A>(op: Op<A>, inputs: readonly Tensor[], attrs: A): Tensor[] {
    for (const t of inputs) {
      if (t.graph !== this) throw new Error(`${op.name}: input ${t.name} belongs to another graph`);
    }
    const outputs = op.forward(this, inputs, attrs);
    this.tape.push({ op: op as Op<unknown>, inputs, outputs, attrs, scope: this.currentScope });
    return outputs;
  }

  /**
   * Emits one raw ONNX node. Used inside op forward rules only: model code goes through ops,
   * so every value a model computes is on the tape.
   */
  node(
    opType: string,
    inputs: readonly (Tensor | null)[],
    outputs: readonly { shape: Shape; dtype: DType }[],
    attrs: Attrs = {},
    domain = '',
  ): Tensor[] {
    const name = this.fresh(opType);
    const out = outputs.map(
      (o, i) => new Tensor(this, outputs.length === 1 ? `${name}:out` : `${name}:out${i}`, o.shape, o.dtype),
    );
    for (const o of out) {
      this.names.add(o.name);
      this.valueTypes.set(o.name, { shape: o.shape, dtype: o.dtype });
    }
    this.nodes.push({
      opType,
      domain,
      inputs: inputs.map((t) => (t ? t.name : '')),
      outputs: out.map((t) => t.name),
      attrs,
      name,
    });
    return out;
  }

  output(name: string, tensor: Tensor): void {
    if (this.outputs.some((o) => o.name === name)) throw new Error(`graph output ${name} declared twice`);
    this.outputs.push({ name, tensor });
  }

  /** Serialises the graph as an ONNX ModelProto. */
  toModel(options: ModelOptions = {}): Uint8Array {
    const parametersAs = options.parameters ?? 'inputs';
    const graphInputs = [...this.inputs];
    const initializers = [...this.initializers];
    for (const p of this.parameters) {
      if (parametersAs === 'inputs') graphInputs.push(p.tensor);
      else {
        const values = options.parameterValues?.get(p.tensor.name) ?? p.values;
        initializers.push({ name: p.tensor.name, shape: p.tensor.shape, dtype: p.tensor.dtype, values });
      }
    }
    // ONNX graph outputs are named values. Where a node computes the value and no other output
    // shares it, that node's output is renamed to the output's name; an Identity copy (which
    // onnxruntime keeps, and which cost 15% of a small model's step) is left only for outputs
    // that are graph inputs, initializers, or share a value with another output.
    const producers = new Map<string, number>();
    this.nodes.forEach((n, i) => {
      for (const o of n.outputs) producers.set(o, i);
    });
    const sharing = new Map<string, number>();
    for (const { tensor } of this.outputs) sharing.set(tensor.name, (sharing.get(tensor.name) ?? 0) + 1);
    const renames = new Map<string, string>();
    for (const { name, tensor } of this.outputs) {
      if (producers.has(tensor.name) && sharing.get(tensor.name) === 1) renames.set(tensor.name, name);
    }
    const rename = (v: string) => renames.get(v) ?? v;
    const nodes = this.nodes.map((n) => ({
      ...n,
      inputs: n.inputs.map(rename),
      outputs: n.outputs.map(rename),
    }));
    const outputInfos = this.outputs.map(({ name, tensor }) => {
      if (!renames.has(tensor.name)) {
        nodes.push({
          opType: 'Identity',
          domain: '',
          inputs: [tensor.name],
          outputs: [name],
          attrs: {},
          name: `output/${name}`,
        });
      }
      return valueInfo(name, tensor.shape, tensor.dtype);
    });
    const live = liveNodes(nodes, new Set(outputInfos.map((o) => o.name)));
    const liveInits = initializers.filter((i) => live.consumed.has(i.name));
    const usedDomains = new Set(live.nodes.map((n) => n.domain).filter((d) => d !== ''));
    const model = {
      irVersion: IR_VERSION,
      opsetImport: [
        { domain: '', version: OPSET },
        ...[...usedDomains].map((domain) => ({ domain, version: 1 })),
      ],
      producerName: 'constellation',
      producerVersion: '0.1.0',
      docString: options.docString ?? '',
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.name,
        node: live.nodes.map((n) => ({
          input: n.inputs,
          output: n.outputs,
          name: n.name,
          opType: n.opType,
          domain: n.domain,
          attribute: Object.entries(n.attrs).map(([key, attr]) => encodeAttr(key, attr)),
        })),
        initializer: liveInits.map((init) => ({
          name: init.name,
          dims: [...init.shape],
          dataType: onnxDataType[init.dtype],
          rawData: toBytes(init.dtype, init.values),
        })),
        input: graphInputs.map((t) => valueInfo(t.name, t.shape, t.dtype)),
        output: outputInfos,
        valueInfo: options.valueInfo
          ? intermediateInfos(this.valueTypes, renames, live.nodes, outputInfos)
          : [],
      },
    };
    const err = ModelProto.verify(model);
    if (err) throw new Error(`invalid ONNX model: ${err}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }

  /** Counts of emitted nodes per ONNX op type (for tests and the engine benchmark). */
  nodeCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const n of this.nodes) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
    return counts;
  }
}

/**
 * Dead-code elimination: only nodes that some graph output depends on are emitted. Gradient
 * rules build both operands' gradients and the optimizer may skip frozen parameters; pruning
 * here keeps every rule simple and the emitted model minimal.
 */
function liveNodes(nodes: readonly NodeRecord[], outputs: ReadonlySet<string>) {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) producer.set(o, i);
  });
  const keep = new Set<number>();
  const consumed = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const name = stack.pop()!;
    const i = producer.get(name);
    if (i === undefined || keep.has(i)) continue;
    keep.add(i);
    for (const input of nodes[i].inputs) {
      if (!input) continue;
      consumed.add(input);
      stack.push(input);
    }
  }
  return { nodes: nodes.filter((_, i) => keep.has(i)), consumed };
}

/** The types of live node outputs that are not graph outputs, under their emitted names. */
function intermediateInfos(
  types: ReadonlyMap<string, { shape: Shape; dtype: DType }>,
  renames: ReadonlyMap<string, string>,
  nodes: readonly NodeRecord[],
  outputs: readonly { name: string }[],
) {
  const declared = new Set(outputs.map((o) => o.name));
  const emitted = new Map<string, { shape: Shape; dtype: DType }>();
  for (const [name, type] of types) emitted.set(renames.get(name) ?? name, type);
  return nodes.flatMap((n) =>
    n.outputs.flatMap((name) => {
      const type = emitted.get(name);
      return type && !declared.has(name) ? [valueInfo(name, type.shape, type.dtype)] : [];
    }),
  );
}

function valueInfo(name: string, shape: Shape, dtype: DType) {
  return {
    name,
    type: {
      tensorType: { elemType: onnxDataType[dtype], shape: { dim: shape.map((d) => ({ dimValue: d })) } },
    },
  };
}

function encodeAttr(name: string, attr: Attr) {
  if ('int' in attr) return { name, type: 2, i: attr.int };
  if ('float' in attr) return { name, type: 1, f: attr.float };
  if ('ints' in attr) return { name, type: 7, ints: [...attr.ints] };
  if ('floats' in attr) return { name, type: 6, floats: [...attr.floats] };
  return { name, type: 3, s: new TextEncoder().encode(attr.string) };
}
