// import.preview and datasets.sample. The preview validates by running the real importer into a
// scratch workspace for a short time budget: the errors it reports are exactly those the import
// would stop on (with file, line and field), and nothing touches the user's workspace.
import { closeSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  interactionTableOptions,
  itemColumns,
  knownInteractionColumns,
  ratingColumns,
  timeColumns,
  userColumns,
} from '../../ingest/interactions/columns.ts';
import { headLines } from '../../ingest/read/files.ts';
import { resolveColumn, sniffTable, type TableShape } from '../../ingest/read/table.ts';
import { detectFormat, importerFor } from '../../ingest/registry.ts';
import type { Importer } from '../../ingest/types.ts';
import { importJob } from '../../jobs/import-job.ts';
import { runJob } from '../../jobs/run-job.ts';
import type { Handler } from '../handler.ts';
import type { ColumnRoles, ImportPreview, ValidationIssue } from '../schema/inspect.ts';
import { requireDataset, withWorkspace } from './datasets.ts';

/** Formats read as delimited text, whose rows the preview splits into fields. */
const tableFormats = new Set(['csv', 'edges', 'movielens', 'recbole', 'sasrec', 'digits-csv']);

function issueOf(error: unknown): ValidationIssue {
  const e = error as Error & { file?: unknown; line?: unknown; field?: unknown; problem?: unknown };
  if (e?.name === 'InputError' && typeof e.file === 'string') {
    return {
      file: e.file,
      line: typeof e.line === 'number' ? e.line : null,
      field: typeof e.field === 'string' ? e.field : null,
      message: typeof e.problem === 'string' ? e.problem : e.message,
    };
  }
  return { file: '', line: null, field: null, message: e instanceof Error ? e.message : String(error) };
}

function looksBinary(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const read = readSync(fd, head, 0, 512, 0);
    return head.subarray(0, read).includes(0);
  } finally {
    closeSync(fd);
  }
}

async function previewFile(
  path: string,
  format: string | null,
  kind: string,
  rows: number,
  options: Record<string, unknown>,
  errors: ValidationIssue[],
) {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    const entries = readdirSync(path)
      .sort()
      .slice(0, rows * 2);
    return { file: { path, type: 'folder' as const, bytes: 0, rows: [], entries }, shape: null };
  }
  const base = { path, type: 'file' as const, bytes: stat.size };
  if (looksBinary(path)) return { file: { ...base, rows: [] }, shape: null };
  const lines = (await headLines(path, rows + 1)).filter((l) => l.trim() !== '');
  if (format === null || !tableFormats.has(format)) {
    return { file: { ...base, rows: lines.slice(0, rows).map((l) => [l]) }, shape: null };
  }
  const tableOptions = interactionTableOptions.safeParse(options);
  let shape: TableShape;
  try {
    shape = await sniffTable(path, {
      ...(tableOptions.success ? tableOptions.data : {}),
      knownNames: kind === 'interactions' ? knownInteractionColumns : [],
    });
  } catch (error) {
    errors.push(issueOf(error));
    return { file: { ...base, rows: lines.slice(0, rows).map((l) => [l]) }, shape: null };
  }
  const split = (line: string) =>
    shape.delimiter === 'whitespace' ? line.trim().split(/[ \t]+/) : line.split(shape.delimiter);
  const body = shape.header ? lines.slice(1) : lines;
  return {
    file: {
      ...base,
      table: { delimiter: shape.delimiter, header: shape.header, columns: shape.columns },
      rows: body.slice(0, rows).map(split),
    },
    shape,
  };
}

function columnRoles(shape: TableShape, options: Record<string, unknown>): ColumnRoles | undefined {
  const parsed = interactionTableOptions.safeParse(options);
  if (!parsed.success) return undefined;
  const o = parsed.data;
  const wide = shape.columns >= 4;
  try {
    return {
      user: resolveColumn(shape, 'user', o.user, userColumns, 0),
      item: resolveColumn(shape, 'item', o.item, itemColumns, 1),
      time: resolveColumn(shape, 'time', o.time, timeColumns, wide ? 3 : 2),
      rating: resolveColumn(shape, 'rating', o.rating, ratingColumns, wide ? 2 : -1),
    };
  } catch {
    // a mapping naming a missing column: the trial import reports it with its line
    return undefined;
  }
}

export const previewImport: Handler<'import.preview'> = async (input, { signal }) => {
  const started = performance.now();
  const paths = input.paths.map((p) => resolve(p));
  const errors: ValidationIssue[] = [];
  let importer: Importer | null = null;
  try {
    importer = input.format ? importerFor(input.kind, input.format) : await detectFormat(input.kind, paths);
  } catch (error) {
    errors.push(issueOf(error));
  }
  const format = importer?.format ?? null;
  const files: ImportPreview['files'] = [];
  let columns: ColumnRoles | undefined;
  for (const path of paths) {
    try {
      const { file, shape } = await previewFile(path, format, input.kind, input.rows, input.options, errors);
      files.push(file);
      if (shape && input.kind === 'interactions' && format === 'csv' && !columns) {
        columns = columnRoles(shape, input.options);
      }
    } catch (error) {
      errors.push({ file: path, line: null, field: null, message: (error as Error).message });
    }
  }
  const checked = { rows: 0, complete: false, seconds: 0 };
  if (importer && errors.length === 0) {
    const scratch = mkdtempSync(join(tmpdir(), 'constellation-preview-'));
    const budget = AbortSignal.any([signal, AbortSignal.timeout(input.budgetMs)]);
    try {
      const result = await runJob(
        importJob,
        {
          workspace: join(scratch, 'preview.constellation'),
          kind: input.kind,
          paths,
          name: 'preview',
          format: importer.format,
          options: input.options,
        },
        {
          signal: budget,
          graceMs: 5000,
          onProgress: (p) => {
            checked.rows = Math.max(checked.rows, p.rows);
          },
        },
      );
      checked.rows = Math.max(checked.rows, result.relations, result.media);
      checked.complete = true;
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'ImportCancelled' && name !== 'JobTerminated') errors.push(issueOf(error));
      if (signal.aborted) throw error;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  checked.seconds = (performance.now() - started) / 1000;
  return { format, description: importer?.description ?? null, files, columns, checked, errors };
};

export const sampleDataset: Handler<'datasets.sample'> = async ({ name, rows }, { workspace }) =>
  withWorkspace(workspace, true, (ws) => {
    const dataset = requireDataset(ws, name);
    const entities = ws.entities.types(dataset.id).map((type) => {
      const page = ws.entities.page(type.id, 0);
      return {
        type: type.name,
        total: page.total,
        rows: page.rows
          .slice(0, rows)
          .map(({ key, label, classLabel, attributes }) => ({ key, label, classLabel, attributes })),
      };
    });
    return { entities, relations: ws.relations.sample(dataset.id, rows) };
  });

export const workspaceInfo: Handler<'workspace.info'> = async (_input, { workspace }) => {
  const path = resolve(workspace);
  return {
    path,
    name: basename(path).replace(/\.[^.]+$/, ''),
    bytes: statSync(path, { throwIfNoEntry: false })?.size ?? 0,
  };
};
