// Which skip-gram trainer serves a device: the WebAssembly SIMD kernel on the CPU, the
// TypeScript reference on request (checks and comparisons). GPU providers register here when the
// ONNX graph path lands.
import { trainSkipGramCpu } from './skipgram-cpu.ts';
import { trainSkipGramReference } from './skipgram-reference.ts';
import type { TrainSkipGram } from './types.ts';

export interface SkipGramBackend {
  /** what the run records as its device */
  device: string;
  /** what the run records as the trainer that ran */
  trainer: string;
  train: TrainSkipGram;
}

export class DeviceUnavailable extends Error {
  override name = 'DeviceUnavailable';
}

export const deviceNames = ['auto', 'cpu', 'cpu-reference'] as const;

export function skipGramBackend(device: string): SkipGramBackend {
  if (device === 'auto' || device === 'cpu') {
    return { device: 'cpu', trainer: 'wasm-simd-hogwild', train: trainSkipGramCpu };
  }
  if (device === 'cpu-reference') {
    return { device: 'cpu', trainer: 'typescript-reference', train: trainSkipGramReference };
  }
  throw new DeviceUnavailable(
    `metapath2vec cannot train on device "${device}" in this build; devices: ${deviceNames.join(', ')}`,
  );
}
