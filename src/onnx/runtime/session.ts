// Sessions on a device, and moving tensors between the host and the device. On WebGPU the
// parameters and optimizer state live in GPU buffers between steps; onnxruntime-node 1.30 can
// neither wrap host memory as a GPU tensor nor read one back safely (`getData()` on a gpu-buffer
// tensor aborted the process), so both directions go through tiny Identity sessions: one whose
// outputs are preferred on the GPU (upload), one whose outputs land on the CPU (read back).
import ort from 'onnxruntime-node';
import type { DType, HostArray, Shape } from '../dtype.ts';
import { sizeOf } from '../dtype.ts';
import { Graph } from '../graph.ts';
import type { TensorSpec } from '../program.ts';
import type { Device } from './devices.ts';

export interface SessionOptions {
  /** outputs to keep on the device (WebGPU only; elsewhere every output comes back to the host) */
  residentOutputs?: readonly string[];
  /** turns on onnxruntime profiling; the profile is written under this path prefix */
  profilePrefix?: string;
}

/** Whether tensors can stay on this device between runs. */
export function keepsTensorsOnDevice(device: Device): boolean {
  return device.provider === 'webgpu';
}

export function createSession(
  model: Uint8Array,
  device: Device,
  options: SessionOptions = {},
): Promise<ort.InferenceSession> {
  const resident = keepsTensorsOnDevice(device) ? (options.residentOutputs ?? []) : [];
  return ort.InferenceSession.create(model, {
    executionProviders: [device.provider],
    intraOpNumThreads: device.threads,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(resident.length
      ? { preferredOutputLocation: Object.fromEntries(resident.map((name) => [name, 'gpu-buffer' as const])) }
      : {}),
    ...(options.profilePrefix ? { enableProfiling: true, profileFilePrefix: options.profilePrefix } : {}),
  });
}

/** A host array as an onnxruntime tensor (the array is referenced, not copied). */
export function hostTensor(spec: { dtype: DType; shape: Shape }, values: HostArray): ort.Tensor {
  return new ort.Tensor(spec.dtype, values, [...spec.shape]);
}

/** Copies a host-side tensor's values out, so the caller may keep them after the tensor is gone. */
export function hostValues(tensor: ort.Tensor): HostArray {
  if (tensor.location !== 'cpu')
    throw new Error(`tensor is on ${tensor.location}; read it back through a DeviceTransfer`);
  return (tensor.data as HostArray).slice();
}

/**
 * Moves named tensors between host arrays and the device. On the CPU this is plain copying; on
 * WebGPU it runs Identity sessions, cached per list of tensor specs.
 */
export class DeviceTransfer {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();

  constructor(readonly device: Device) {}

  /** New device tensors holding copies of `values` (each checked against its spec). */
  async upload(specs: readonly TensorSpec[], values: readonly HostArray[]): Promise<ort.Tensor[]> {
    specs.forEach((spec, i) => {
      checkValues(spec, values[i]);
    });
    const host = specs.map((spec, i) => hostTensor(spec, values[i].slice()));
    if (!keepsTensorsOnDevice(this.device) || specs.length === 0) return host;
    const session = await this.identity(specs, 'gpu-buffer');
    const out = await session.run(Object.fromEntries(host.map((t, i) => [`in${i}`, t])));
    return specs.map((_, i) => out[`out${i}`]);
  }

  /** Host copies of the tensors' values. */
  async download(specs: readonly TensorSpec[], tensors: readonly ort.Tensor[]): Promise<HostArray[]> {
    if (tensors.every((t) => t.location === 'cpu')) return tensors.map(hostValues);
    const session = await this.identity(specs, 'cpu');
    const out = await session.run(Object.fromEntries(tensors.map((t, i) => [`in${i}`, t])));
    return specs.map((_, i) => out[`out${i}`].data as HostArray);
  }

  async release(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const session of sessions) await (await session).release();
  }

  private identity(
    specs: readonly TensorSpec[],
    location: 'cpu' | 'gpu-buffer',
  ): Promise<ort.InferenceSession> {
    const key = `${location}|${specs.map((s) => `${s.dtype}[${s.shape}]`).join(',')}`;
    let session = this.sessions.get(key);
    if (!session) {
      const g = new Graph(`transfer-${location}`);
      specs.forEach((spec, i) => {
        g.output(`out${i}`, g.input(`in${i}`, spec.shape, spec.dtype));
      });
      const names = specs.map((_, i) => `out${i}`);
      session = createSession(
        g.toModel(),
        { ...this.device, threads: 1 },
        {
          residentOutputs: location === 'gpu-buffer' ? names : [],
        },
      );
      this.sessions.set(key, session);
    }
    return session;
  }
}

export function checkValues(spec: TensorSpec, values: HostArray | undefined): void {
  if (!values) throw new Error(`${spec.name}: no values given`);
  const expected = arrayTypes[spec.dtype];
  if (!(values instanceof expected)) {
    throw new Error(
      `${spec.name}: expected a ${expected.name} for ${spec.dtype}, got a ${values.constructor.name}`,
    );
  }
  if (values.length !== sizeOf(spec.shape)) {
    throw new Error(
      `${spec.name}: ${values.length} values for shape [${spec.shape}] (${sizeOf(spec.shape)} expected)`,
    );
  }
}

const arrayTypes: Record<DType, { new (n: number): HostArray; name: string }> = {
  float32: Float32Array,
  float64: Float64Array,
  int64: BigInt64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};
