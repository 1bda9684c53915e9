/** A run's embeddings ready to export: row i is entity keys[i], its vector vectors[i*dim .. (i+1)*dim). */
export interface EmbeddingTable {
  keys: readonly string[];
  /** entity type names (author, paper, item...) */
  types?: readonly string[] | null;
  /** display labels */
  labels?: readonly (string | null)[] | null;
  /** class labels (ground truth), null where unknown */
  classes?: readonly (string | null)[] | null;
  /** row-major float32, keys.length x dim */
  vectors: Float32Array;
  dim: number;
}

/** Checks that the columns agree in length and every value is finite, naming the first offender. */
export function checkEmbeddingTable(table: EmbeddingTable): void {
  const rows = table.keys.length;
  if (!Number.isInteger(table.dim) || table.dim < 1)
    throw new Error(`embedding dimension ${table.dim} is not a positive integer`);
  if (table.vectors.length !== rows * table.dim) {
    throw new Error(`${table.vectors.length} vector values are not ${rows} rows of ${table.dim}`);
  }
  for (const [name, column] of [
    ['types', table.types],
    ['labels', table.labels],
    ['classes', table.classes],
  ] as const) {
    if (column && column.length !== rows)
      throw new Error(`${name} has ${column.length} entries for ${rows} keys`);
  }
  for (let i = 0; i < table.vectors.length; i++) {
    if (!Number.isFinite(table.vectors[i])) {
      const row = Math.floor(i / table.dim);
      throw new Error(
        `the vector of "${table.keys[row]}" (row ${row}) holds ${table.vectors[i]} at dimension ${i % table.dim}`,
      );
    }
  }
}
