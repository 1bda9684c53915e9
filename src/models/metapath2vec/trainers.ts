// Which skip-gram trainer serves a device: the WebAssembly SIMD kernel on the CPU, the ONNX step
// graph with device-resident tables on a GPU provider, the TypeScript reference on request
// (checks and comparisons).
import { type ExecutionProvider, executionProviders, resolveDevice } from '../../onnx/runtime/devices.ts';
import { trainSkipGramCpu } from './skipgram-cpu.ts';
import { skipGramGraphTrainer } from './skipgram-graph.ts';
import { trainSkipGramReference } from './skipgram-reference.ts';
import type { TrainSkipGram } from './types.ts';

export interface SkipGramBackend {
  /** what the run records as its device */
  device: string;
  /** what the run records as the trainer that ran */
  trainer: string;
  /** why this device: stored with the run, shown to the user */
  reason: string;
  train: TrainSkipGram;
}

export class DeviceUnavailable extends Error {
  override name = 'DeviceUnavailable';
}

const gpuProviders = executionProviders.filter((p) => p !== 'cpu');

export const deviceNames = ['auto', 'cpu', 'cpu-reference', ...gpuProviders] as const;

const kernel = (reason: string): SkipGramBackend => ({
  device: 'cpu',
  trainer: 'wasm-simd-hogwild',
  reason,
  train: trainSkipGramCpu,
});

const graph = (provider: ExecutionProvider, reason: string): SkipGramBackend => ({
  device: provider,
  trainer: 'onnx-graph',
  reason,
  train: skipGramGraphTrainer({ device: provider }),
});

/**
 * A named GPU provider must probe OK (else resolveDevice's DeviceUnavailable, which the API
 * refuses). `auto` takes the graph trainer only on a hardware GPU: on the CPU provider, or on a
 * software Vulkan rasteriser, the WebAssembly kernel is the faster way to the same embeddings.
 */
export async function skipGramBackend(device: string): Promise<SkipGramBackend> {
  if (device === 'cpu') return kernel('cpu chosen: WebAssembly SIMD kernel');
  if (device === 'cpu-reference') {
    return {
      device: 'cpu',
      trainer: 'typescript-reference',
      reason: 'cpu-reference chosen',
      train: trainSkipGramReference,
    };
  }
  if (device === 'auto') {
    const resolved = await resolveDevice('auto');
    return resolved.provider === 'cpu' ? kernel(resolved.reason) : graph(resolved.provider, resolved.reason);
  }
  const provider = gpuProviders.find((p) => p === device);
  if (provider) return graph(provider, (await resolveDevice(provider)).reason);
  throw new DeviceUnavailable(
    `metapath2vec cannot train on device "${device}" in this build; devices: ${deviceNames.join(', ')}`,
  );
}
