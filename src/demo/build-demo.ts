// Builds the embedded demo workspace: generate the files from the seed, import them through the
// real importers into a fresh workspace file, then move it into place in one rename, so a failed
// or cancelled build leaves whatever was there before.
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runImport } from '../ingest/registry.ts';
import { ImportCancelled } from '../ingest/types.ts';
import { WorkspaceError } from '../workspace/errors.ts';
import type { Dataset } from '../workspace/types.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { demoParts } from './demo-files.ts';
import { type DemoSpec, readDemoSpec } from './spec.ts';

export interface DemoProgress {
  step: string;
  done: number;
  total: number;
}

export interface DemoDatasetSummary {
  dataset: string;
  kind: Dataset['kind'];
  entities: number;
  relations: number;
  media: number;
  seconds: number;
}

export interface DemoSummary {
  workspace: string;
  seed: number;
  /** false when an existing demo workspace was kept as it was */
  built: boolean;
  datasets: DemoDatasetSummary[];
  seconds: number;
}

export interface BuildDemoOptions {
  out: string;
  /** replaces the seed of resources/demo/demo.json */
  seed?: number;
  /** another demo than resources/demo/demo.json (a smaller one, say) */
  spec?: DemoSpec;
  /** rebuild a demo workspace that already exists */
  force?: boolean;
  progress?: (event: DemoProgress) => void;
  signal?: AbortSignal;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

function summarise(dataset: Dataset, seconds: number): DemoDatasetSummary {
  return {
    dataset: dataset.name,
    kind: dataset.kind,
    entities: sum(dataset.stats.entities),
    relations: sum(dataset.stats.relations),
    media: dataset.stats.media?.count ?? 0,
    seconds,
  };
}

export async function buildDemo(options: BuildDemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const spec = options.spec ?? readDemoSpec();
  const seed = options.seed ?? spec.seed;
  const out = resolve(options.out);
  const signal = options.signal ?? new AbortController().signal;
  const parts = demoParts(spec, seed);
  const names = parts.map((part) => part.step);

  if (existsSync(out)) {
    const existing = openWorkspace(out, { readonly: true });
    let datasets: Dataset[];
    try {
      datasets = existing.datasets.list();
    } finally {
      existing.close();
    }
    const isDemo = names.every((name) => datasets.some((d) => d.name === name));
    // Never replace a workspace that holds a person's own data.
    if (!isDemo) {
      throw new WorkspaceError(
        `${out} exists and is not a demo workspace; give another --out or move that file away`,
      );
    }
    if (!options.force && options.seed === undefined) {
      return {
        workspace: out,
        seed,
        built: false,
        datasets: datasets.filter((d) => names.includes(d.name)).map((d) => summarise(d, 0)),
        seconds: (performance.now() - started) / 1000,
      };
    }
  }

  const files = await mkdtemp(join(tmpdir(), 'constellation-demo-'));
  const building = `${out}.building-${process.pid}`;
  const total = parts.length * 2;
  let done = 0;
  const step = (what: string) => options.progress?.({ step: what, done: done++, total });
  try {
    const workspace = openWorkspace(building);
    const datasets: DemoDatasetSummary[] = [];
    try {
      for (const part of parts) {
        if (signal.aborted) throw new ImportCancelled();
        step(`generating ${part.step}`);
        const request = await part.write(files);
        step(`importing ${part.step}`);
        const importStarted = performance.now();
        const dataset = await runImport(workspace, {
          ...request,
          generated: { by: 'constellation demo', seed },
          progress: () => {},
          signal,
        });
        datasets.push(summarise(dataset, (performance.now() - importStarted) / 1000));
      }
    } finally {
      workspace.close();
    }
    options.progress?.({ step: 'done', done: total, total });
    await rename(building, out);
    return { workspace: out, seed, built: true, datasets, seconds: (performance.now() - started) / 1000 };
  } finally {
    await rm(files, { recursive: true, force: true });
    for (const suffix of ['', '-wal', '-shm']) await rm(`${building}${suffix}`, { force: true });
  }
}
