// Which service answers each command. Handlers load on first use, so a command line that lists
// datasets does not pay for loading every importer, sharp and parquet-wasm. The Handlers type
// makes a command without a handler a type error.
import type { Handlers } from '../handler.ts';

export const handlers: Handlers = {
  'datasets.list': async () => (await import('./datasets.ts')).listDatasets,
  'datasets.rename': async () => (await import('./datasets.ts')).renameDataset,
  'datasets.delete': async () => (await import('./datasets.ts')).deleteDataset,
  'import.run': async () => (await import('./import.ts')).runImportCommand,
  'import.formats': async () => (await import('./import.ts')).listImportFormats,
  'demo.build': async () => (await import('./demo.ts')).buildDemoCommand,
  'bench.import': async () => (await import('./bench.ts')).benchImportCommand,
  'export.embeddings': async () => (await import('./export.ts')).exportEmbeddingsCommand,
  'export.network': async () => (await import('./export.ts')).exportNetworkCommand,
  'runs.resumable': async () => (await import('./runs.ts')).listResumableRuns,
  'runs.list': async () => (await import('./run-history.ts')).listRuns,
  'runs.get': async () => (await import('./run-history.ts')).getRun,
  'runs.delete': async () => (await import('./run-history.ts')).deleteRun,
  'export.model': async () => (await import('./run-history.ts')).exportModel,
  'models.list': async () => (await import('./models.ts')).listModels,
  'devices.probe': async () => (await import('./models.ts')).probeDevicesCommand,
  'train.start': async () => (await import('./train.ts')).startTraining,
  'train.pause': async () => (await import('./train.ts')).pauseTraining,
  'import.preview': async () => (await import('./inspect.ts')).previewImport,
  'datasets.sample': async () => (await import('./inspect.ts')).sampleDataset,
  'train.metapath2vec': async () => (await import('./metapath2vec.ts')).trainMetapath2vecCommand,
  'walks.export': async () => (await import('./metapath2vec.ts')).exportWalksCommand,
  'eval.run': async () => (await import('./evaluate.ts')).evaluateRunCommand,
  'eval.neighbours': async () => (await import('./evaluate.ts')).neighboursCommand,
  'train.bert4rec': async () => (await import('./bert4rec.ts')).trainBert4RecCommand,
  'eval.ranking': async () => (await import('./bert4rec.ts')).rankingEvalCommand,
  recommend: async () => (await import('./bert4rec.ts')).recommendCommand,
  'bench.bert4rec': async () => (await import('./bert4rec.ts')).benchBert4RecCommand,
};
