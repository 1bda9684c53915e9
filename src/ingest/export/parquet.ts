import {
  Field,
  FixedSizeList,
  Float32,
  makeData,
  makeVector,
  Table,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import type { EmbeddingTable } from './embedding-table.ts';

/**
 * The vectors as one FixedSizeList<float32> column: duckdb reads it as FLOAT[dim] (ready for
 * array_cosine_similarity), pandas/pyarrow as one array per row, and a 768-dimension model does
 * not become 768 columns. Text columns sit beside it; absent ones are left out.
 */
export function embeddingsToArrow(table: EmbeddingTable): Table {
  const rows = table.keys.length;
  const text = (values: readonly (string | null)[]): Vector => vectorFromArray(values, new Utf8());
  const item = new Field('item', new Float32(), false);
  const values = makeData({ type: new Float32(), length: rows * table.dim, data: table.vectors });
  const vector = makeVector(
    makeData({ type: new FixedSizeList(table.dim, item), length: rows, nullCount: 0, child: values }),
  );
  const columns: Record<string, Vector> = { key: text(table.keys) };
  if (table.types) columns.type = text(table.types);
  if (table.labels) columns.label = text(table.labels);
  if (table.classes) columns.class = text(table.classes);
  columns.vector = vector;
  return new Table(columns);
}

/** Parquet bytes (Snappy: what every reader supports) written by parquet-wasm from the Arrow table. */
export function encodeEmbeddingsParquet(table: EmbeddingTable): Uint8Array {
  const wasmTable = WasmTable.fromIPCStream(tableToIPC(embeddingsToArrow(table), 'stream'));
  const properties = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
  return writeParquet(wasmTable, properties);
}
