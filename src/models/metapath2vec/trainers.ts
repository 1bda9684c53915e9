// Which skip-gram trainer serves a device. The WebAssembly kernel and the ONNX graph register
// here as they land; until then the CPU runs the TypeScript reference.
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

export function skipGramBackend(device: string): SkipGramBackend {
  if (device === 'auto' || device === 'cpu') {
    return { device: 'cpu', trainer: 'typescript-reference', train: trainSkipGramReference };
  }
  throw new DeviceUnavailable(
    `metapath2vec cannot train on device "${device}" in this build; use --device cpu (or auto)`,
  );
}
