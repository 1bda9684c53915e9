import { z } from 'zod';

export const EmbeddingFormat = z.enum(['tsv', 'npy', 'parquet']);
export const NetworkFormat = z.enum(['gexf']);

export const exportCommands = {
  'export.embeddings': {
    description:
      "Write a run's embeddings as TensorBoard-projector TSV (vectors + metadata), NPY (+ metadata TSV) or Parquet",
    input: z.object({
      run: z.number().int().positive(),
      format: EmbeddingFormat,
      /** the vectors file; metadata goes beside it (metadata.tsv or <name>.metadata.tsv) */
      out: z.string().min(1),
    }),
    output: z.object({
      run: z.number().int(),
      format: EmbeddingFormat,
      /** absolute paths of the files written */
      files: z.array(z.string()),
      rows: z.number().int(),
      dim: z.number().int(),
      seconds: z.number(),
    }),
    progress: z.never(),
  },
  'export.network': {
    description: "Write a dataset's entities and typed relations as a network file (GEXF, for Gephi)",
    input: z.object({
      dataset: z.string(),
      format: NetworkFormat.default('gexf'),
      out: z.string().min(1),
    }),
    output: z.object({
      dataset: z.string(),
      format: NetworkFormat,
      files: z.array(z.string()),
      nodes: z.number().int(),
      edges: z.number().int(),
      seconds: z.number(),
    }),
    progress: z.never(),
  },
} as const;
