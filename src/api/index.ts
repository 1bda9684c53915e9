// What the renderer and other transports may import from src/api: schemas, types, errors.
// The dispatcher and handlers (Node side) are imported from their own files.
export * from './commands.ts';
export * from './schema/bench.ts';
export * from './schema/datasets.ts';
export * from './schema/demo.ts';
export * from './schema/errors.ts';
export * from './schema/evaluate.ts';
export * from './schema/export.ts';
export * from './schema/import.ts';
export * from './schema/inspect.ts';
export * from './schema/metapath2vec.ts';
export * from './schema/models.ts';
export * from './schema/network.ts';
export * from './schema/recommendation.ts';
export * from './schema/run-history.ts';
export * from './schema/runs.ts';
export * from './schema/train.ts';
