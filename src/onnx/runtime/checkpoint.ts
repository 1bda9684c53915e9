// Training checkpoints in the safetensors layout, so other tools (Python's `safetensors`, the
// Hugging Face viewers) can open them:
//
//   8 bytes   little-endian u64 N, the header's length
//   N bytes   UTF-8 JSON header, padded with spaces to a multiple of 8:
//             { "__metadata__": { "format": "constellation-checkpoint/1", "step": "12",
//                                 "rng": <JSON text>, "cursor": <JSON text> },
//               "parameters/<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] },
//               "state/<name>": { ... }, ... }
//   the rest  raw little-endian tensor bytes; offsets are relative to the end of the header
//
// safetensors allows only strings in __metadata__, so the caller's RNG state and data cursor
// (any JSON) are stored as JSON text. Files are written to a temporary sibling, fsynced and
// renamed into place, so a crash leaves the previous checkpoint or the new one, never half of one.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { writeFileAtomic } from '../../ingest/export/atomic-file.ts';
import { InputError } from '../../ingest/types.ts';
import type { DType, HostArray, Shape } from '../dtype.ts';
import { bytesPerElement, sizeOf } from '../dtype.ts';
import type { Program, TensorSpec } from '../program.ts';
import { Trainer, type TrainerOptions, type TrainerSnapshot } from './trainer.ts';

export const checkpointFormat = 'constellation-checkpoint/1';

export interface Checkpoint extends TrainerSnapshot {
  /** the caller's RNG state (walk sampler, dropout seed, shuffling), any JSON */
  rng: unknown;
  /** where the data pipeline stands (epoch, offset), any JSON */
  cursor: unknown;
}

const dtypeCodes: Record<DType, string> = {
  float32: 'F32',
  float64: 'F64',
  int64: 'I64',
  int32: 'I32',
  uint8: 'U8',
  bool: 'BOOL',
};

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Writes the trainer's parameters, optimizer state and step with the caller's RNG state and data cursor. */
export async function saveCheckpoint(
  file: string,
  trainer: Trainer,
  extra: { rng?: unknown; cursor?: unknown } = {},
): Promise<void> {
  const snapshot = await trainer.snapshot();
  await writeCheckpoint(file, trainer.program, {
    ...snapshot,
    rng: extra.rng ?? null,
    cursor: extra.cursor ?? null,
  });
}

export async function writeCheckpoint(file: string, program: Program, checkpoint: Checkpoint): Promise<void> {
  if (os.endianness() !== 'LE') throw new Error('checkpoints are little-endian; this machine is big-endian');
  const tensors: { key: string; spec: TensorSpec; values: HostArray }[] = [
    ...program.parameters.map((p) => ({
      key: `parameters/${p.name}`,
      spec: p,
      values: checkpoint.parameters[p.name],
    })),
    ...program.state.map((s) => ({ key: `state/${s.name}`, spec: s, values: checkpoint.state[s.name] })),
  ];
  const header: Record<string, unknown> = {
    __metadata__: {
      format: checkpointFormat,
      step: String(checkpoint.step),
      rng: JSON.stringify(checkpoint.rng ?? null),
      cursor: JSON.stringify(checkpoint.cursor ?? null),
    },
  };
  let offset = 0;
  for (const { key, spec, values } of tensors) {
    if (!values) throw new Error(`writeCheckpoint ${file}: no values for ${key}`);
    const bytes = values.byteLength;
    if (bytes !== sizeOf(spec.shape) * bytesPerElement[spec.dtype]) {
      throw new Error(
        `writeCheckpoint ${file}: ${key} has ${values.length} values for shape [${spec.shape}]`,
      );
    }
    header[key] = {
      dtype: dtypeCodes[spec.dtype],
      shape: [...spec.shape],
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(headerBytes.length));
  await writeFileAtomic(file, async (handle) => {
    await handle.write(length);
    await handle.write(headerBytes);
    for (const { values } of tensors)
      await handle.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  });
}

/**
 * Reads a checkpoint and checks it against the program: every parameter and state tensor present
 * with the program's dtype and shape. Errors name the file and the tensor.
 */
export async function readCheckpoint(file: string, program: Program): Promise<Checkpoint> {
  const bytes = await readFile(file);
  const fail = (field: string | null, problem: string) => new InputError(file, null, field, problem);
  if (bytes.length < 8) throw fail(null, 'too short to be a checkpoint');
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (8 + headerLength > bytes.length) throw fail(null, `header length ${headerLength} exceeds the file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  } catch (error) {
    throw fail('header', `not JSON (${(error as Error).message})`);
  }
  const metadata = header.__metadata__ as Record<string, string> | undefined;
  if (metadata?.format !== checkpointFormat) {
    throw fail(
      '__metadata__.format',
      `expected ${checkpointFormat}, found ${JSON.stringify(metadata?.format)}`,
    );
  }
  const step = Number(metadata.step);
  if (!Number.isInteger(step) || step < 0)
    throw fail('__metadata__.step', `not a step count: ${metadata.step}`);
  const parseJson = (field: 'rng' | 'cursor') => {
    try {
      return JSON.parse(metadata[field] ?? 'null');
    } catch {
      throw fail(`__metadata__.${field}`, 'not JSON text');
    }
  };
  const data = bytes.subarray(8 + headerLength);
  const tensor = (key: string, spec: TensorSpec): HostArray => {
    const entry = header[key] as HeaderEntry | undefined;
    if (!entry) throw fail(key, 'missing: the checkpoint was written by a different program');
    if (entry.dtype !== dtypeCodes[spec.dtype] || !sameShape(entry.shape, spec.shape)) {
      throw fail(
        key,
        `is ${entry.dtype}[${entry.shape}] but the program expects ${dtypeCodes[spec.dtype]}[${spec.shape}]`,
      );
    }
    const [begin, end] = entry.data_offsets;
    if (end - begin !== sizeOf(spec.shape) * bytesPerElement[spec.dtype] || begin < 0 || end > data.length) {
      throw fail(key, `data_offsets [${begin}, ${end}] do not fit the shape or the file`);
    }
    // copied into a fresh buffer: the file's offsets need not be aligned for the element type
    const copy = new Uint8Array(data.subarray(begin, end)).buffer;
    return hostArray(spec.dtype, copy);
  };
  return {
    step,
    rng: parseJson('rng'),
    cursor: parseJson('cursor'),
    parameters: Object.fromEntries(
      program.parameters.map((p) => [p.name, tensor(`parameters/${p.name}`, p)]),
    ),
    state: Object.fromEntries(program.state.map((s) => [s.name, tensor(`state/${s.name}`, s)])),
  };
}

/** A Trainer for `program` continuing from the checkpoint, and the checkpoint's RNG state and cursor. */
export async function resume(
  file: string,
  program: Program,
  options: TrainerOptions = {},
): Promise<{ trainer: Trainer; checkpoint: Checkpoint }> {
  const checkpoint = await readCheckpoint(file, program);
  const trainer = await Trainer.create(program, options);
  try {
    await trainer.restore(checkpoint);
  } catch (error) {
    await trainer.release();
    throw error;
  }
  return { trainer, checkpoint };
}

function sameShape(a: unknown, b: Shape): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((d, i) => d === b[i]);
}

function hostArray(dtype: DType, buffer: ArrayBuffer): HostArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer);
    case 'float64':
      return new Float64Array(buffer);
    case 'int64':
      return new BigInt64Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer);
  }
}
