// State computed from the store, never stored twice.
import type { Dataset, ModelDescriptor, RunSummary } from '../../../src/api/index.ts';
import type { Job, State } from './types.ts';

export const runningJobs = (state: State): Job[] => state.jobs.filter((j) => j.status === 'running');

export const trainingJob = (state: State): Job | undefined =>
  state.training ? state.jobs.find((j) => j.id === state.training?.jobId) : undefined;

export const modelsFor = (models: readonly ModelDescriptor[], dataset: Dataset | undefined) =>
  dataset ? models.filter((m) => m.datasetKinds.includes(dataset.kind)) : [];

export const catalogModelOf = (models: readonly ModelDescriptor[], run: RunSummary) =>
  models.find((m) => m.runModels.includes(run.model));

/** The figures a runs table shows first: test ranking quality, then throughput and the last training loss, then the rest. */
export function keyMetrics(run: RunSummary, limit = 3): [string, number | null][] {
  const rank = (name: string) =>
    /^test\/pop100\/(NDCG@10|HR@10)$/.test(name)
      ? 0
      : /^val\/.*NDCG@10$/.test(name)
        ? 1
        : /pairs_per_s|embedded_nodes|^train\/loss$/.test(name)
          ? 2
          : /^test\//.test(name)
            ? 3
            : 4;
  return Object.entries(run.metrics)
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))
    .slice(0, limit);
}

/**
 * Whether a run matches what a person typed in the runs filter: every word must appear in the
 * run's number, model, dataset, status or device ("vit done", "#12", "bert4rec failed").
 */
export function runMatches(run: RunSummary, query: string): boolean {
  const text = `${run.model} ${run.dataset} ${run.status} ${run.device}`.toLowerCase();
  // a number is a run's number, not part of another one: "3" finds run 3, not runs 13 and 30
  const matches = (word: string) =>
    (/^#?\d+$/.test(word) && Number(word.replace('#', '')) === run.id) || text.includes(word);
  return query.toLowerCase().split(/\s+/).filter(Boolean).every(matches);
}

/** Settings of a stored run that the model's schema knows (a run also stores derived facts). */
export function settingsOf(model: ModelDescriptor, config: Record<string, unknown>): Record<string, unknown> {
  const properties = (model.configSchema.properties ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(config).filter(([key]) => key in properties));
}
