import { readFile } from 'node:fs/promises';
import { InputError } from './types.ts';

/** A NumPy array read from an .npy file; `data` is in C (row-major) order whatever the file's order. */
export interface NpyArray {
  /** the dtype as numpy writes it, e.g. '<i8', '>f4', '|b1' */
  dtype: string;
  shape: number[];
  data:
    | Int8Array
    | Uint8Array
    | Int16Array
    | Uint16Array
    | Int32Array
    | Uint32Array
    | Float32Array
    | Float64Array
    | BigInt64Array
    | BigUint64Array;
}

const magic = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

type Kind = 'i' | 'u' | 'f' | 'b';
const constructors = {
  i1: Int8Array,
  i2: Int16Array,
  i4: Int32Array,
  i8: BigInt64Array,
  u1: Uint8Array,
  u2: Uint16Array,
  u4: Uint32Array,
  u8: BigUint64Array,
  f4: Float32Array,
  f8: Float64Array,
  b1: Uint8Array,
} as const;

/** Parses the header dict: {'descr': '<i8', 'fortran_order': False, 'shape': (4275,), } */
function parseHeader(text: string, file: string) {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new InputError(
      file,
      null,
      'header',
      `expected a dict with descr, fortran_order and shape, got ${text.trim()}`,
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+L?$/.test(s))
        throw new InputError(file, null, 'shape', `expected non-negative integers, got (${shapeText})`);
      return Number.parseInt(s, 10);
    });
  return { descr, fortranOrder: fortran === 'True', shape };
}

/** Reads .npy bytes: format versions 1.0, 2.0 and 3.0, little or big endian, integer, float and bool dtypes. */
export function parseNpy(bytes: Uint8Array, file = '(npy)'): NpyArray {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 10 || !buffer.subarray(0, 6).equals(magic)) {
    throw new InputError(file, null, null, 'not an NPY file (expected the magic bytes \\x93NUMPY)');
  }
  const major = buffer[6];
  if (major < 1 || major > 3)
    throw new InputError(
      file,
      null,
      'version',
      `unsupported NPY format version ${major}.${buffer[7]}; expected 1, 2 or 3`,
    );
  const headerLength = major === 1 ? buffer.readUInt16LE(8) : buffer.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (dataStart > buffer.length)
    throw new InputError(file, null, 'header', 'file is truncated inside the header');
  const headerText = buffer.subarray(headerStart, dataStart).toString(major === 3 ? 'utf8' : 'latin1');
  const { descr, fortranOrder, shape } = parseHeader(headerText, file);

  const match = /^([<>|=])([iufb])(\d+)$/.exec(descr);
  const code = match ? (`${match[2]}${match[3]}` as keyof typeof constructors) : null;
  if (!match || code === null || !(code in constructors)) {
    throw new InputError(
      file,
      null,
      'descr',
      `unsupported dtype ${descr}; expected an integer, float or bool dtype (i1-i8, u1-u8, f4, f8, b1)`,
    );
  }
  const kind = match[2] as Kind;
  const itemSize = Number(match[3]);
  const bigEndian = match[1] === '>';
  const count = shape.reduce((a, b) => a * b, 1);
  const byteLength = count * itemSize;
  if (dataStart + byteLength > buffer.length) {
    throw new InputError(
      file,
      null,
      'data',
      `file is truncated: shape (${shape.join(', ')}) needs ${byteLength} bytes of data, found ${buffer.length - dataStart}`,
    );
  }
  // copy into an aligned buffer; swap bytes when the file is big endian
  const raw = new Uint8Array(byteLength);
  raw.set(buffer.subarray(dataStart, dataStart + byteLength));
  if (bigEndian && itemSize > 1) {
    for (let i = 0; i < byteLength; i += itemSize) raw.subarray(i, i + itemSize).reverse();
  }
  const Typed = constructors[code];
  let data = new Typed(raw.buffer, 0, count) as NpyArray['data'];
  if (kind === 'b') data = Uint8Array.from(data as Uint8Array, (v) => (v ? 1 : 0));
  if (fortranOrder && shape.length > 1) data = toRowMajor(data, shape);
  return { dtype: descr, shape, data };
}

/** Reorders column-major data to row-major. */
function toRowMajor(data: NpyArray['data'], shape: number[]): NpyArray['data'] {
  const out = new (data.constructor as new (n: number) => NpyArray['data'])(data.length);
  const rank = shape.length;
  const fStrides = new Array<number>(rank);
  fStrides[0] = 1;
  for (let d = 1; d < rank; d++) fStrides[d] = fStrides[d - 1] * shape[d - 1];
  const index = new Array<number>(rank).fill(0);
  for (let c = 0; c < data.length; c++) {
    let f = 0;
    for (let d = 0; d < rank; d++) f += index[d] * fStrides[d];
    out[c] = data[f];
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Reads an .npy file (small arrays: labels, splits; the whole file is read). */
export async function readNpy(file: string): Promise<NpyArray> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(file, null, null, 'no such file');
    if (code === 'EISDIR') throw new InputError(file, null, null, 'is a directory; expected an .npy file');
    throw error;
  }
  return parseNpy(bytes, file);
}

/** Element `i` as a JavaScript number (bigint elements converted; precision past 2^53 is lost). */
export function npyNumber(array: NpyArray, i: number): number {
  return Number(array.data[i]);
}

const littleEndianDtype = new Map<NpyArray['data']['constructor'], string>([
  [Int8Array, '|i1'],
  [Uint8Array, '|u1'],
  [Int16Array, '<i2'],
  [Uint16Array, '<u2'],
  [Int32Array, '<i4'],
  [Uint32Array, '<u4'],
  [Float32Array, '<f4'],
  [Float64Array, '<f8'],
  [BigInt64Array, '<i8'],
  [BigUint64Array, '<u8'],
]);

/**
 * Encodes a C-order array as NPY format 1.0 (what numpy.save writes for small headers): the header
 * dict is padded with spaces and a newline so the data starts on a 64-byte boundary, which lets
 * numpy memory-map it. Data is written in the machine's byte order, declared little endian: every
 * platform Constellation ships on (x64, arm64) is little endian.
 */
export function encodeNpy(data: NpyArray['data'], shape: readonly number[]): Buffer {
  const descr = littleEndianDtype.get(data.constructor as NpyArray['data']['constructor']);
  if (!descr) throw new Error(`encodeNpy: unsupported array type ${data.constructor.name}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new Error(`encodeNpy: shape (${shape.join(', ')}) does not hold ${data.length} values`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = magic.length + 4 + dict.length + 1;
  const headerLength = dict.length + 1 + ((64 - (unpadded % 64)) % 64);
  if (headerLength > 0xffff) throw new Error('encodeNpy: shape too long for an NPY 1.0 header');
  const head = Buffer.alloc(magic.length + 4 + headerLength, 0x20);
  magic.copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(headerLength, 8);
  head.write(dict, 10, 'latin1');
  head[head.length - 1] = 0x0a;
  return Buffer.concat([head, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}
