// Looking before importing, and looking at what was imported: the first rows of the files with the
// detected format, delimiter and columns, validation errors with file and line; sample rows of a dataset.
import { z } from 'zod';
import { Dataset, DatasetKind } from './datasets.ts';

export const PreviewFile = z.object({
  path: z.string(),
  /** folders list their first entries instead of rows */
  type: z.enum(['file', 'folder']),
  bytes: z.number().int(),
  /** delimited text: how it was read */
  table: z
    .object({
      delimiter: z.string(),
      header: z.array(z.string()).nullable(),
      columns: z.number().int(),
    })
    .optional(),
  /** the first lines split into fields (tables), or the first lines as text */
  rows: z.array(z.array(z.string())),
  entries: z.array(z.string()).optional(),
});

export const ColumnRoles = z.object({
  user: z.number().int(),
  item: z.number().int(),
  time: z.number().int(),
  rating: z.number().int(),
});
export type ColumnRoles = z.infer<typeof ColumnRoles>;

export const ValidationIssue = z.object({
  file: z.string(),
  line: z.number().int().nullable(),
  field: z.string().nullable(),
  message: z.string(),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

export const ImportPreview = z.object({
  /** null when no format could be told (see errors) */
  format: z.string().nullable(),
  description: z.string().nullable(),
  files: z.array(PreviewFile),
  /** interaction tables: which column (0-based, -1 none) the importer takes for each role */
  columns: ColumnRoles.optional(),
  /** a trial import into a scratch workspace, stopped after a time budget */
  checked: z.object({ rows: z.number().int(), complete: z.boolean(), seconds: z.number() }),
  errors: z.array(ValidationIssue),
});
export type ImportPreview = z.infer<typeof ImportPreview>;

export const EntitySample = z.object({
  type: z.string(),
  total: z.number().int(),
  rows: z.array(
    z.object({
      key: z.string(),
      label: z.string().nullable(),
      classLabel: z.string().nullable(),
      attributes: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
});

/** A workspace file opened before, as Home lists it. */
export const RecentWorkspace = z.object({
  path: z.string(),
  name: z.string(),
  bytes: z.number().int(),
  modifiedAt: z.string(),
  /** its datasets with their statistics; null when the file could not be read (see problem) */
  datasets: z.array(Dataset).nullable(),
  runs: z.number().int().nullable(),
  problem: z.string().nullable(),
});
export type RecentWorkspace = z.infer<typeof RecentWorkspace>;

export const inspectCommands = {
  'workspace.info': {
    description: 'The workspace file this connection works on',
    input: z.object({}),
    output: z.object({ path: z.string(), name: z.string(), bytes: z.number().int() }),
    progress: z.never(),
  },
  'workspaces.recent': {
    description:
      "The other workspaces opened recently in the app (its File › Recent Workspaces), newest first, with their datasets' statistics",
    input: z.object({}),
    output: z.object({
      /** the list's file: the app writes it, serve mode only reads it */
      file: z.string(),
      workspaces: z.array(RecentWorkspace),
    }),
    progress: z.never(),
  },
  'import.preview': {
    description:
      'The first rows of files to import with the detected format and columns, and the errors a trial import finds',
    input: z.object({
      kind: DatasetKind,
      paths: z.array(z.string().min(1)).min(1, 'give at least one file or folder to preview'),
      format: z.string().optional(),
      options: z.record(z.string(), z.unknown()).default({}),
      rows: z.number().int().min(1).max(200).default(8),
      /** how long the trial import may run */
      budgetMs: z.number().int().min(0).max(60_000).default(20_000),
    }),
    output: ImportPreview,
    progress: z.never(),
  },
  'datasets.sample': {
    description: 'The first entities of each type and the first relations of each relation type of a dataset',
    input: z.object({ name: z.string(), rows: z.number().int().min(1).max(200).default(8) }),
    output: z.object({
      entities: z.array(EntitySample),
      relations: z.array(
        z.object({
          relationType: z.string(),
          source: z.string(),
          target: z.string(),
          time: z.number().nullable(),
          weight: z.number().nullable(),
        }),
      ),
    }),
    progress: z.never(),
  },
} as const;
