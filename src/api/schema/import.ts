import { z } from 'zod';
import { DatasetKind, DatasetName } from './datasets.ts';

export const ImportProgress = z.object({
  rows: z.number(),
  bytes: z.number(),
  totalBytes: z.number(),
  etaSeconds: z.number().nullable(),
  file: z.string().optional(),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

export const ImportSummary = z.object({
  dataset: z.string(),
  kind: DatasetKind,
  entities: z.number().int(),
  relations: z.number().int(),
  media: z.number().int(),
  seconds: z.number(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

export const Importer = z.object({ format: z.string(), kind: DatasetKind, description: z.string() });

export const importCommands = {
  'import.run': {
    description: 'Import files as a new dataset; all or nothing',
    input: z.object({
      kind: DatasetKind,
      paths: z.array(z.string().min(1)).min(1, 'give at least one file or folder to import'),
      name: DatasetName,
      /** one of import.formats; detected from the files when absent */
      format: z.string().optional(),
      /** importer options (delimiter, column mapping, skipCorrupt...), checked by the importer's own schema */
      options: z.record(z.string(), z.unknown()).default({}),
    }),
    output: ImportSummary,
    progress: ImportProgress,
  },
  'import.formats': {
    description: 'The import formats this build knows',
    input: z.object({ kind: DatasetKind.optional() }),
    output: z.object({ importers: z.array(Importer) }),
    progress: z.never(),
  },
} as const;
