import { basename, dirname, join } from 'node:path';
import { encodeNpy } from '../npy.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { checkEmbeddingTable, type EmbeddingTable } from './embedding-table.ts';
import { encodeEmbeddingsParquet } from './parquet.ts';
import { writeProjectorMetadata, writeProjectorVectors } from './projector-tsv.ts';

export type EmbeddingFormat = 'tsv' | 'npy' | 'parquet';

export interface EmbeddingExport extends EmbeddingTable {
  format: EmbeddingFormat;
  /** the vectors file: vectors.tsv, embeddings.npy, embeddings.parquet... */
  path: string;
}

/**
 * Where the row metadata goes beside a vectors file: the projector's default pair
 * (vectors.tsv + metadata.tsv), otherwise `<name>.metadata.tsv`.
 */
export function metadataPath(path: string): string {
  const name = basename(path);
  if (name === 'vectors.tsv') return join(dirname(path), 'metadata.tsv');
  return join(dirname(path), `${name.replace(/\.(tsv|npy)$/i, '')}.metadata.tsv`);
}

/**
 * Exports a run's embeddings. TSV writes the projector's pair (vectors + metadata); NPY writes a
 * float32 [rows, dim] array plus the same metadata TSV (an .npy cannot say which row is which
 * entity); Parquet holds keys, labels and vectors in one file. Every file is written atomically.
 * Returns the files written.
 */
export async function exportEmbeddings(request: EmbeddingExport): Promise<string[]> {
  const { format, path, ...table } = request;
  checkEmbeddingTable(table);
  switch (format) {
    case 'tsv':
    case 'npy': {
      const metadata = metadataPath(path);
      if (format === 'tsv') await writeFileAtomic(path, (file) => writeProjectorVectors(file, table));
      else
        await writeFileAtomic(path, async (file) => {
          await file.write(encodeNpy(table.vectors, [table.keys.length, table.dim]));
        });
      await writeFileAtomic(metadata, (file) => writeProjectorMetadata(file, table));
      return [path, metadata];
    }
    case 'parquet': {
      const bytes = encodeEmbeddingsParquet(table);
      await writeFileAtomic(path, async (file) => {
        await file.write(bytes);
      });
      return [path];
    }
  }
}
