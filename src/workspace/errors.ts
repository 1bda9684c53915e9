/** A workspace refusal the user can act on (a taken name, a repeated key, a read-only file...). */
export class WorkspaceError extends Error {
  override name = 'WorkspaceError';
}

export class DatasetNameTaken extends WorkspaceError {
  override name = 'DatasetNameTaken';
  constructor(readonly dataset: string) {
    super(
      `a dataset named "${dataset}" already exists in this workspace; choose another name or delete it first`,
    );
  }
}

/** A key given twice for one entity type; importers add the file and line they know. */
export class DuplicateEntityKey extends WorkspaceError {
  override name = 'DuplicateEntityKey';
  constructor(
    readonly entityType: string,
    readonly key: string,
  ) {
    super(`duplicate ${entityType} key "${key}"`);
  }
}
