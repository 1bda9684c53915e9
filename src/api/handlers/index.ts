// Which service answers each command. The Handlers type makes a command without a handler a type error.
import type { Handlers } from '../handler.ts';
import { deleteDataset, listDatasets, renameDataset } from './datasets.ts';
import { buildDemoCommand } from './demo.ts';
import { listImportFormats, runImportCommand } from './import.ts';

export const handlers: Handlers = {
  'datasets.list': listDatasets,
  'datasets.rename': renameDataset,
  'datasets.delete': deleteDataset,
  'import.run': runImportCommand,
  'import.formats': listImportFormats,
  'demo.build': buildDemoCommand,
};
