import type { CommandOutput, Dataset, ModelDescriptor, RunSummary } from '../../../src/api/index.ts';

export type View = 'home' | 'import' | 'train' | 'runs' | 'explore' | 'network' | 'recommend';

export type DeviceProbe = CommandOutput<'devices.probe'>;

/** A long piece of work (an import, a training run) as the UI shows it. */
export interface Job {
  id: string;
  kind: 'import' | 'train';
  title: string;
  status: 'running' | 'done' | 'paused' | 'cancelled' | 'failed';
  /** 0..1, null while unknown */
  fraction: number | null;
  /** "1.2 MB/s", "640 sequences/s" */
  rate: string | null;
  etaSeconds: number | null;
  detail: string;
  error: unknown;
}

/** The training run the Training view follows: what the curves and the log are drawn from. */
export interface TrainingSession {
  jobId: string;
  run: number | null;
  model: string;
  dataset: string;
  phase: string;
  epoch: number | null;
  step: number | null;
  /** loss by step, as reported live */
  loss: { steps: number[]; values: number[] };
  /** each metric by step (validation figures arrive once per epoch) */
  metrics: Record<string, { steps: number[]; values: number[] }>;
  throughput: { steps: number[]; values: number[]; unit: string };
  log: string[];
}

/** A request to the Training view to prefill its form (re-run with the same config). */
export interface TrainingDraft {
  dataset: string;
  model: string;
  config: Record<string, unknown>;
  inputs: Record<string, string[]>;
  device: string;
}

export interface State {
  view: View;
  connection: 'connecting' | 'open' | 'closed';
  workspace: { path: string; name: string; bytes: number } | null;
  datasets: Dataset[] | null;
  runs: RunSummary[] | null;
  models: ModelDescriptor[] | null;
  devices: DeviceProbe | null;
  jobs: Job[];
  training: TrainingSession | null;
  draft: TrainingDraft | null;
  /** an error not tied to a view (loading lists failed) */
  error: unknown;
}

export const initialState: State = {
  view: 'home',
  connection: 'connecting',
  workspace: null,
  datasets: null,
  runs: null,
  models: null,
  devices: null,
  jobs: [],
  training: null,
  draft: null,
  error: null,
};
