// Floating-point operations of one run of an ONNX model, counted from the graph and the static
// shapes it declares (inputs, initializers, outputs, and value_info for intermediates: emit it
// with `graph.toModel({ valueInfo: true })`).
//
// The convention, per node:
// - MatMul: 2 K per output element (a multiply and an add per term of [..., M, K] x [..., K, N]),
//   so attention's q k^T and softmax(.) v are counted like any batched product. Papers quoting
//   "FLOPs" from fvcore (ViViT, TimeSformer, MViT) count multiply-adds: half of this.
// - Gemm: 2 K per output element, plus 1 per output element when C is added.
// - Conv: 2 (C / group) prod(kernel) per output element, plus 1 per output element for a bias;
//   ConvTranspose: the same per input element, over its output channels.
// - MaxPool, AveragePool: prod(kernel) per output element.
// - Data movement and shape computation (Reshape, Transpose, Slice, Concat, Split, Expand,
//   Gather, Scatter, Pad, Cast, Identity, Shape, ...): 0.
// - Every other node (elementwise arithmetic, activations, comparisons, Softmax,
//   LayerNormalization, reductions, ...): 1 per element of its largest input or output. This
//   undercounts the fused kernels (a softmax is a few operations per element); they are a small
//   share next to the products.
import type { Long } from 'protobufjs';
import { ModelProto } from './proto.ts';

export interface FlopCount {
  total: number;
  /** by ONNX op type, the op types with no cost left out */
  byOpType: Record<string, number>;
}

const DATA_MOVEMENT = new Set([
  'Reshape',
  'Transpose',
  'Squeeze',
  'Unsqueeze',
  'Flatten',
  'Slice',
  'Concat',
  'Split',
  'Expand',
  'Tile',
  'Pad',
  'Gather',
  'GatherElements',
  'GatherND',
  'ScatterElements',
  'ScatterND',
  'Cast',
  'Identity',
  'Shape',
  'Size',
  'Constant',
  'ConstantOfShape',
  'Range',
]);

interface Dim {
  dimValue?: number | Long;
}
interface ValueInfo {
  name: string;
  type?: { tensorType?: { shape?: { dim?: Dim[] } } };
}
interface Attribute {
  name: string;
  i?: number | Long;
  ints?: (number | Long)[];
}
interface NodeProto {
  name?: string;
  opType: string;
  input?: string[];
  output?: string[];
  attribute?: Attribute[];
}
interface GraphProto {
  node?: NodeProto[];
  input?: ValueInfo[];
  output?: ValueInfo[];
  valueInfo?: ValueInfo[];
  initializer?: { name: string; dims?: (number | Long)[] }[];
}

const num = (v: number | Long | undefined) => Number(v ?? 0);
const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** FLOPs of one run of `model` (serialised ModelProto), by the convention above. */
export function countFlops(model: Uint8Array): FlopCount {
  const graph = (ModelProto.decode(model) as unknown as { graph: GraphProto }).graph;
  const shapes = new Map<string, number[]>();
  for (const info of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) {
    const dims = info.type?.tensorType?.shape?.dim;
    if (dims)
      shapes.set(
        info.name,
        dims.map((d) => num(d.dimValue)),
      );
  }
  for (const init of graph.initializer ?? []) shapes.set(init.name, (init.dims ?? []).map(num));

  const byOpType: Record<string, number> = {};
  let total = 0;
  for (const node of graph.node ?? []) {
    if (DATA_MOVEMENT.has(node.opType)) continue;
    const shapeOf = (name: string) => {
      const shape = shapes.get(name);
      if (!shape) {
        throw new Error(
          `countFlops: no shape for ${name} (input of or output of node ${node.name ?? node.opType}); emit the model with value_info (toModel({ valueInfo: true }))`,
        );
      }
      return shape;
    };
    const inputs = (node.input ?? []).filter((n) => n !== '');
    const outputs = (node.output ?? []).filter((n) => n !== '');
    const flops = nodeFlops(node, inputs.map(shapeOf), outputs.map(shapeOf));
    byOpType[node.opType] = (byOpType[node.opType] ?? 0) + flops;
    total += flops;
  }
  return { total, byOpType };
}

function nodeFlops(node: NodeProto, inputs: number[][], outputs: number[][]): number {
  const attr = (name: string) => node.attribute?.find((a) => a.name === name);
  const out = outputs[0] ?? [];
  switch (node.opType) {
    case 'MatMul': {
      const a = inputs[0];
      return 2 * a[a.length - 1] * product(out);
    }
    case 'Gemm': {
      const a = inputs[0];
      const k = num(attr('transA')?.i) ? a[0] : a[1];
      return 2 * k * product(out) + (inputs.length > 2 ? product(out) : 0);
    }
    case 'Conv': {
      const w = inputs[1];
      const perOutput = 2 * product(w.slice(1));
      return perOutput * product(out) + (inputs.length > 2 ? product(out) : 0);
    }
    case 'ConvTranspose': {
      const w = inputs[1];
      const perInput = 2 * product(w.slice(1));
      return perInput * product(inputs[0]) + (inputs.length > 2 ? product(out) : 0);
    }
    case 'MaxPool':
    case 'AveragePool': {
      const kernel = (attr('kernel_shape')?.ints ?? []).map(num);
      return product(kernel) * product(out);
    }
    default:
      return Math.max(0, ...[...inputs, ...outputs].map(product));
  }
}
