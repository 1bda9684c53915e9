import { useState } from 'react';
import type { ApiErrorData } from '../../../src/api/index.ts';

/** An error in words a user understands; the technical detail one click away. */
export function ErrorMessage({ error }: { error: unknown }) {
  const [open, setOpen] = useState(false);
  if (!error) return null;
  const data = ((error as { data?: ApiErrorData }).data ?? {
    code: 'internal',
    message: error instanceof Error ? error.message : String(error),
  }) as ApiErrorData;
  return (
    <div className="error" role="alert">
      <div className="error-title">{headline(data)}</div>
      <div className="error-message">{plain(data)}</div>
      {data.issues && data.issues.length > 0 && (
        <ul className="error-issues">
          {data.issues.map((issue) => (
            <li key={`${issue.path.join('.')}:${issue.message}`}>
              {issue.path.length > 0 && <code>{issue.path.join('.')}</code>} {issue.message}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="link" onClick={() => setOpen(!open)}>
        {open ? 'Hide details' : 'Details'}
      </button>
      {open && <pre className="error-detail">{JSON.stringify(data, null, 2)}</pre>}
    </div>
  );
}

function headline(e: ApiErrorData): string {
  switch (e.code) {
    case 'bad-data':
      return `A problem in ${e.file?.split('/').at(-1) ?? 'the file'}${e.line ? ` at line ${e.line}` : ''}${e.field ? `, field "${e.field}"` : ''}`;
    case 'invalid-input':
      return 'Some settings are not valid';
    case 'not-found':
      return 'Not found';
    case 'conflict':
      return 'That name is already taken';
    case 'refused':
      return 'This cannot be done right now';
    case 'cancelled':
      return 'Stopped';
    default:
      return 'Something went wrong inside Constellation';
  }
}

function plain(e: ApiErrorData): string {
  if (e.code === 'cancelled') return `${e.message}. Nothing half-done was kept.`;
  if (e.code === 'internal' || e.code === 'unknown-command')
    return `${e.message}. This is likely a bug; the details below help to report it.`;
  return e.message;
}
