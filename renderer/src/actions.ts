// What the views ask for: API calls whose results go into the store through producers. Long
// work keeps its AbortController here (not in the state: it is not data to draw).
import type { ApiClient } from '../../src/api/client.ts';
import type { CommandInput, ImportProgress, RunSummary } from '../../src/api/index.ts';
import { formatBytes } from './format.ts';
import {
  failed,
  jobEnded,
  jobProgressed,
  jobStarted,
  loaded,
  navigate,
  trainingLogged,
  trainingProgressed,
  trainingStarted,
} from './state/producers.ts';
import { update } from './state/store.ts';

let api: ApiClient;
const controllers = new Map<string, AbortController>();
let nextJob = 1;

export function setClient(client: ApiClient): void {
  api = client;
}

export function client(): ApiClient {
  return api;
}

export async function refresh(): Promise<void> {
  try {
    const [workspace, { datasets }, { runs }] = await Promise.all([
      api.call('workspace.info', {}),
      api.call('datasets.list', {}),
      api.call('runs.list', {}),
    ]);
    update(loaded({ workspace, datasets, runs }));
  } catch (error) {
    update(failed(error));
  }
}

export async function loadTrainingChoices(): Promise<void> {
  try {
    const [{ models }, devices] = await Promise.all([
      api.call('models.list', {}),
      api.call('devices.probe', {}),
    ]);
    update(loaded({ models, devices }));
  } catch (error) {
    update(failed(error));
  }
}

export async function refreshRuns(): Promise<void> {
  try {
    update(loaded({ runs: (await api.call('runs.list', {})).runs }));
  } catch (error) {
    update(failed(error));
  }
}

export function cancelJob(id: string): void {
  controllers.get(id)?.abort();
}

const isCancelled = (error: unknown) => (error as { code?: string })?.code === 'cancelled';

/** Imports files as a dataset; resolves true once it is in the workspace. */
export async function startImport(input: CommandInput<'import.run'>): Promise<boolean> {
  const id = `import-${nextJob++}`;
  const controller = new AbortController();
  controllers.set(id, controller);
  update(jobStarted({ id, kind: 'import', title: `Importing ${input.name}` }));
  const started = performance.now();
  try {
    await api.call('import.run', input, {
      signal: controller.signal,
      onProgress(p: ImportProgress) {
        const seconds = (performance.now() - started) / 1000;
        update(
          jobProgressed(id, {
            fraction: p.totalBytes > 0 ? Math.min(1, p.bytes / p.totalBytes) : null,
            rate: seconds > 0 ? `${formatBytes(p.bytes / seconds)}/s` : null,
            etaSeconds: p.etaSeconds,
            detail: `${p.rows.toLocaleString('en')} rows`,
          }),
        );
      },
    });
    update(jobEnded(id, 'done'));
    await refresh();
    return true;
  } catch (error) {
    update(jobEnded(id, isCancelled(error) ? 'cancelled' : 'failed', error));
    return false;
  } finally {
    controllers.delete(id);
  }
}

/** Starts (or resumes) a training run that the Training view follows. */
export async function startTraining(input: CommandInput<'train.start'>): Promise<void> {
  const id = `train-${nextJob++}`;
  const controller = new AbortController();
  controllers.set(id, controller);
  const resuming = input.resume !== undefined;
  update(
    jobStarted({
      id,
      kind: 'train',
      title: `${resuming ? 'Resuming' : 'Training'} ${input.model} on ${input.dataset}`,
    }),
  );
  update(
    trainingStarted(
      { jobId: id, run: input.resume ?? null, model: input.model, dataset: input.dataset },
      resuming,
    ),
  );
  try {
    const result = await api.call('train.start', input, {
      signal: controller.signal,
      onProgress(event) {
        update(trainingProgressed(id, event));
        update(
          jobProgressed(id, {
            fraction: event.fraction,
            etaSeconds: event.etaSeconds,
            rate: event.throughput ? `${event.throughput.value.toFixed(0)} ${event.throughput.unit}` : null,
            detail: [
              event.phase,
              event.epoch !== undefined ? `epoch ${event.epoch + 1}` : '',
              event.step !== undefined ? `step ${event.step}` : '',
            ]
              .filter(Boolean)
              .join(' · '),
          }),
        );
      },
    });
    update(
      trainingLogged(
        id,
        result.status === 'paused'
          ? `paused (run ${result.run}); resume continues from its checkpoint`
          : `done in ${result.seconds.toFixed(1)} s`,
      ),
    );
    update(jobEnded(id, result.status));
  } catch (error) {
    const cancelled = isCancelled(error);
    update(trainingLogged(id, cancelled ? 'cancelled' : `failed: ${(error as Error).message}`));
    update(jobEnded(id, cancelled ? 'cancelled' : 'failed', error));
  } finally {
    controllers.delete(id);
    await refreshRuns();
  }
}

/**
 * Resumes a stopped run from its last checkpoint on the device it ran on, and opens the Training
 * view to follow it. `model` is the catalog's id (the run stores the model that ran: bert4rec, sasrec...).
 */
export function resumeRun(run: RunSummary, model: string): void {
  update(navigate('train'));
  void startTraining({ dataset: run.dataset, model, resume: run.id, device: run.device });
}

export async function pauseTraining(run: number): Promise<void> {
  try {
    await api.call('train.pause', { run });
  } catch (error) {
    update(failed(error));
  }
}
