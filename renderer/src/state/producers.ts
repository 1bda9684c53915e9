// Every change of the UI state is a pure producer (args) => (state) => state, as in Gephi Lite:
// easy to test, easy to replay, and the only way the store changes.
import type { Dataset, ModelDescriptor, RunSummary, TrainingProgress } from '../../../src/api/index.ts';
import type { DeviceProbe, Job, State, TrainingDraft, TrainingSession, View } from './types.ts';

export type Producer = (state: State) => State;

const logLimit = 500;

export const navigate =
  (view: View): Producer =>
  (state) => ({ ...state, view });

export const setConnection =
  (connection: State['connection']): Producer =>
  (state) => ({ ...state, connection });

export const loaded =
  (lists: {
    workspace?: State['workspace'];
    datasets?: Dataset[];
    runs?: RunSummary[];
    models?: ModelDescriptor[];
    devices?: DeviceProbe;
  }): Producer =>
  (state) => ({ ...state, ...lists, error: null });

export const failed =
  (error: unknown): Producer =>
  (state) => ({ ...state, error });

export const jobStarted =
  (job: Pick<Job, 'id' | 'kind' | 'title'>): Producer =>
  (state) => ({
    ...state,
    jobs: [
      ...state.jobs.filter((j) => j.id !== job.id),
      { ...job, status: 'running', fraction: null, rate: null, etaSeconds: null, detail: '', error: null },
    ],
  });

export const jobProgressed =
  (id: string, change: Partial<Pick<Job, 'fraction' | 'rate' | 'etaSeconds' | 'detail'>>): Producer =>
  (state) => ({ ...state, jobs: state.jobs.map((j) => (j.id === id ? { ...j, ...change } : j)) });

export const jobEnded =
  (id: string, status: Exclude<Job['status'], 'running'>, error: unknown = null): Producer =>
  (state) => ({
    ...state,
    jobs: state.jobs.map((j) =>
      j.id === id
        ? { ...j, status, error, etaSeconds: null, fraction: status === 'done' ? 1 : j.fraction }
        : j,
    ),
  });

export const jobDismissed =
  (id: string): Producer =>
  (state) => ({ ...state, jobs: state.jobs.filter((j) => j.id !== id) });

export const trainingStarted =
  (session: Pick<TrainingSession, 'jobId' | 'run' | 'model' | 'dataset'>, keepCurves: boolean): Producer =>
  (state) => {
    const previous = keepCurves && state.training?.run === session.run ? state.training : null;
    return {
      ...state,
      training: {
        ...session,
        phase: 'starting',
        epoch: previous?.epoch ?? null,
        step: previous?.step ?? null,
        loss: previous?.loss ?? { steps: [], values: [] },
        metrics: previous?.metrics ?? {},
        throughput: previous?.throughput ?? { steps: [], values: [], unit: '' },
        log: [
          ...(previous?.log ?? []),
          `${keepCurves ? 'resuming' : 'starting'} ${session.model} on ${session.dataset}`,
        ],
      },
    };
  };

function appendPoint(series: { steps: number[]; values: number[] }, step: number, value: number) {
  const last = series.steps.length - 1;
  // a resumed run repeats the step it stopped at: keep one point per step
  if (last >= 0 && series.steps[last] >= step) {
    const keep = series.steps.findIndex((s) => s >= step);
    return {
      steps: [...series.steps.slice(0, keep), step],
      values: [...series.values.slice(0, keep), value],
    };
  }
  return { steps: [...series.steps, step], values: [...series.values, value] };
}

function describe(event: TrainingProgress): string {
  const parts = [event.phase];
  if (event.epoch !== undefined) parts.push(`epoch ${event.epoch + 1}`);
  if (event.step !== undefined) parts.push(`step ${event.step}`);
  if (event.loss !== undefined) parts.push(`loss ${event.loss.toFixed(4)}`);
  if (event.throughput) parts.push(`${event.throughput.value.toFixed(0)} ${event.throughput.unit}`);
  return parts.join(' · ');
}

export const trainingProgressed =
  (jobId: string, event: TrainingProgress): Producer =>
  (state) => {
    const session = state.training;
    if (!session || session.jobId !== jobId) return state;
    // steps count the x axis; a model without steps (metapath2vec) is drawn against its events
    const x = event.step ?? session.throughput.steps.length;
    const metrics = { ...session.metrics };
    const newFigures: string[] = [];
    for (const [name, value] of Object.entries(event.metrics ?? {})) {
      const series = metrics[name] ?? { steps: [], values: [] };
      if (series.values.at(-1) !== value || series.steps.length === 0) {
        metrics[name] = appendPoint(series, x, value);
        newFigures.push(`${name} ${value.toFixed(4)}`);
      }
    }
    const log = [...session.log];
    if (event.phase !== session.phase || event.loss !== undefined) log.push(describe(event));
    if (newFigures.length > 0) log.push(`validation: ${newFigures.join(', ')}`);
    return {
      ...state,
      training: {
        ...session,
        run: event.run ?? session.run,
        phase: event.phase,
        epoch: event.epoch ?? session.epoch,
        step: event.step ?? session.step,
        loss: event.loss !== undefined ? appendPoint(session.loss, x, event.loss) : session.loss,
        metrics,
        throughput: event.throughput
          ? { ...appendPoint(session.throughput, x, event.throughput.value), unit: event.throughput.unit }
          : session.throughput,
        log: log.slice(-logLimit),
      },
    };
  };

export const trainingLogged =
  (jobId: string, line: string): Producer =>
  (state) =>
    state.training?.jobId === jobId
      ? { ...state, training: { ...state.training, log: [...state.training.log, line].slice(-logLimit) } }
      : state;

export const draftTraining =
  (draft: TrainingDraft | null): Producer =>
  (state) => ({ ...state, draft, view: draft ? 'train' : state.view });
