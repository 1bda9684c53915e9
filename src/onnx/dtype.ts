/** Element types the builder tracks, with their ONNX TensorProto.DataType codes. */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

export const onnxDataType: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
};

export const bytesPerElement: Record<DType, number> = {
  float32: 4,
  float64: 8,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Host values for tensors of each dtype (int64 kept as BigInt64Array, as onnxruntime expects). */
export type HostArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export function toBytes(dtype: DType, values: HostArray | readonly number[]): Uint8Array {
  const typed = typedArray(dtype, values);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

export function typedArray(dtype: DType, values: HostArray | readonly number[]): HostArray {
  if (!Array.isArray(values)) return values as HostArray;
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'int32':
      return Int32Array.from(values);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(values);
  }
}
