// What the compiler hands the runtime: an ONNX model plus the naming contract of its inputs and
// outputs. A training step maps (batch, parameters, optimizer state, step) to (loss, metrics,
// new parameters, new state); the runtime feeds each step's outputs back as the next inputs.
import type { DType, Shape } from './dtype.ts';

export interface TensorSpec {
  name: string;
  shape: Shape;
  dtype: DType;
}

export interface ProgramParameter extends TensorSpec {
  /** initial values (row-major) */
  init: Float32Array | Float64Array;
  trainable: boolean;
  /**
   * graph output carrying the updated value; absent in eval programs and for frozen parameters,
   * except frozen ones the model itself updates (BatchNorm running statistics)
   */
  updatedBy?: string;
}

export interface ProgramState extends TensorSpec {
  /** initial value of optimizer state (zeros for Adam moments) */
  init: Float32Array | Float64Array | BigInt64Array;
  /** graph output carrying the next value */
  updatedBy: string;
}

export interface Program {
  kind: 'train' | 'eval';
  /** serialized ONNX ModelProto */
  model: Uint8Array;
  /** data fed per step (token ids, masks, labels, images...) */
  batch: TensorSpec[];
  parameters: ProgramParameter[];
  /** optimizer state (moments, step counter, accumulated gradients); empty for eval programs */
  state: ProgramState[];
  /** scalar outputs reported per step: always `loss` for train programs, plus named metrics */
  scalars: string[];
  /** other named outputs (logits, embeddings, attention maps) */
  outputs: TensorSpec[];
}
