import type { Dataset, DatasetKind, GeneratedSource } from '../workspace/types.ts';
import type { Workspace } from '../workspace/workspace.ts';
import { csvInteractions } from './interactions/csv.ts';
import { jsonlInteractions } from './interactions/jsonl.ts';
import { movielensInteractions } from './interactions/movielens.ts';
import { recboleInteractions } from './interactions/recbole.ts';
import { sasrecInteractions } from './interactions/sasrec.ts';
// Images and videos: registered by src/ingest/media/index.ts (mediaImporters), owned by the media importers.
import { mediaImporters } from './media/index.ts';
import { dblpFourArea } from './network/dblp-four-area.ts';
import { edgesNetwork } from './network/edges.ts';
import { gexfNetwork } from './network/gexf.ts';
import { hecoNetwork } from './network/heco.ts';
import { isDirectory } from './read/files.ts';
import { statFile } from './read/input.ts';
import { ImportCancelled, type Importer, type ImportProgress, InputError } from './types.ts';

/**
 * Every importer, most specific first within a kind: auto-detection takes the first whose
 * detect() says yes when only generic ones (csv, edges) also match.
 */
export const importers: readonly Importer[] = [
  dblpFourArea,
  hecoNetwork,
  gexfNetwork,
  edgesNetwork,
  movielensInteractions,
  recboleInteractions,
  sasrecInteractions,
  jsonlInteractions,
  csvInteractions,
  ...mediaImporters,
];

/** Formats that also match files a specific format claims; they never make detection ambiguous. */
const generic = new Set(['csv', 'edges', 'folder']);

export function importerFor(kind: DatasetKind, format: string): Importer {
  const found = importers.find((i) => i.kind === kind && i.format === format);
  if (!found) {
    const known = importers.filter((i) => i.kind === kind).map((i) => i.format);
    const other = importers.find((i) => i.format === format);
    throw new InputError(
      `--format ${format}`,
      null,
      null,
      other
        ? `"${format}" imports ${other.kind}, not ${kind}`
        : `unknown ${kind} format; expected one of ${known.join(', ')}`,
    );
  }
  return found;
}

/**
 * Checks that every path exists (a folder or a file) before anything else looks at it, the
 * workspace included: opening one creates its file.
 */
export async function checkPaths(paths: readonly string[]): Promise<void> {
  if (paths.length === 0)
    throw new InputError('(no path)', null, null, 'expected at least one file or folder to import');
  for (const path of paths) if (!(await isDirectory(path))) await statFile(path);
}

/**
 * The format of `paths` for `kind` when the user gave none: the one specific format that
 * matches, else the one generic format; an error listing the candidates when several or none match.
 */
export async function detectFormat(kind: DatasetKind, paths: readonly string[]): Promise<Importer> {
  await checkPaths(paths);
  const candidates = importers.filter((i) => i.kind === kind);
  const matches: Importer[] = [];
  for (const importer of candidates) if (await importer.detect(paths)) matches.push(importer);
  const specific = matches.filter((i) => !generic.has(i.format));
  const chosen = specific.length > 0 ? specific : matches;
  if (chosen.length === 1) return chosen[0];
  const where = paths.join(', ');
  if (chosen.length === 0) {
    throw new InputError(
      where,
      null,
      null,
      `cannot tell the ${kind} format; pass --format with one of ${candidates.map((i) => `${i.format} (${i.description})`).join('; ')}`,
    );
  }
  throw new InputError(
    where,
    null,
    null,
    `several ${kind} formats match (${chosen.map((i) => i.format).join(', ')}); pass --format to choose`,
  );
}

export interface ImportRequest {
  kind: DatasetKind;
  paths: readonly string[];
  name: string;
  /** detected from the paths when absent */
  format?: string;
  options?: Record<string, unknown>;
  /** set for files Constellation generated: recorded instead of `paths`, which are temporary */
  generated?: GeneratedSource;
  progress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
}

/**
 * Imports `paths` as a new dataset in one transaction: committed when the importer finishes,
 * rolled back on any error or cancel, so the workspace is either unchanged or holds the whole dataset.
 */
export async function runImport(workspace: Workspace, request: ImportRequest): Promise<Dataset> {
  const signal = request.signal ?? new AbortController().signal;
  if (signal.aborted) throw new ImportCancelled();
  const importer = request.format
    ? importerFor(request.kind, request.format)
    : await detectFormat(request.kind, request.paths);
  await checkPaths(request.paths);
  const options = request.options ?? {};
  const session = workspace.beginImport({
    name: request.name,
    kind: request.kind,
    source: request.generated
      ? { format: importer.format, paths: [], options, generated: request.generated }
      : { format: importer.format, paths: [...request.paths], options },
  });
  try {
    await importer.run(request.paths, {
      session,
      options,
      progress: request.progress ?? (() => {}),
      signal,
    });
    if (signal.aborted) throw new ImportCancelled();
    return session.commit();
  } catch (error) {
    session.rollback();
    throw error;
  }
}
