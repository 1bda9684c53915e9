export { benchImport, type ImportBenchOptions, type ImportBenchResult } from './bench-import.ts';
export { DatasetRepository } from './datasets.ts';
export { DatasetNameTaken, DuplicateEntityKey, WorkspaceError } from './errors.ts';
export type { ImportRequest } from './import-session.ts';
export { schemaVersion } from './migrations.ts';
export type * from './types.ts';
export { type OpenOptions, openWorkspace, Workspace } from './workspace.ts';
