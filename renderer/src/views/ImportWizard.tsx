import { useEffect, useRef, useState } from 'react';
import type { ColumnRoles, CommandOutput, ImportPreview } from '../../../src/api/index.ts';
import { client, startImport } from '../actions.ts';
import { electronBridge } from '../api.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { JobProgress } from '../components/JobProgress.tsx';
import { formatBytes } from '../format.ts';
import { navigate } from '../state/producers.ts';
import { update, useStore } from '../state/store.ts';

type Kind = 'network' | 'interactions' | 'images' | 'videos';
const kinds: { id: Kind; title: string; text: string }[] = [
  { id: 'network', title: 'Network', text: 'Typed nodes and relations: edge lists, GEXF, DBLP, HeCo' },
  {
    id: 'interactions',
    title: 'Interaction log',
    text: 'Users × items × time: CSV, MovieLens, RecBole, JSON Lines',
  },
  { id: 'images', title: 'Images', text: 'A folder per class, IDX (MNIST), digits CSV' },
  { id: 'videos', title: 'Videos', text: 'Frame folders, GIF/WebP clips, MP4 through ffmpeg' },
];
const roles: (keyof ColumnRoles)[] = ['user', 'item', 'time', 'rating'];

const describeDelimiter = (d: string) => (d === '\t' ? 'tab' : d === 'whitespace' ? 'spaces' : `"${d}"`);
const nameFromPath = (path: string) =>
  path
    .replace(/[/\\]+$/, '')
    .split(/[/\\]/)
    .at(-1)
    ?.replace(/\.[^.]+$/, '')
    .replace(/[^\w.-]+/g, '-') || 'dataset';

/** Paths dropped from a file manager arrive as file:// URIs in text/uri-list. */
function droppedPaths(data: DataTransfer): string[] {
  const uris = data.getData('text/uri-list') || data.getData('text/plain');
  return uris
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => (line.startsWith('file://') ? decodeURIComponent(new URL(line).pathname) : line));
}

export function ImportWizard() {
  const [kind, setKind] = useState<Kind>('interactions');
  const [pathsText, setPathsText] = useState('');
  const [format, setFormat] = useState('');
  const [formats, setFormats] = useState<CommandOutput<'import.formats'>['importers']>([]);
  const [mapping, setMapping] = useState<Partial<Record<keyof ColumnRoles, number>>>({});
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const previewRequest = useRef(0);
  const previewAbort = useRef<AbortController | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const jobs = useStore((s) => s.jobs);
  const job = jobs.filter((j) => j.kind === 'import').at(-1);
  const paths = pathsText
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
  const header = preview?.files[0]?.table?.header ?? null;
  const columnCount = preview?.files[0]?.table?.columns ?? 0;
  const options = Object.fromEntries(
    Object.entries(mapping)
      .filter(([, at]) => at !== undefined && at >= 0)
      .map(([role, at]) => [role, (at as number) + 1]),
  );

  useEffect(() => {
    client()
      .call('import.formats', { kind })
      .then((r) => setFormats(r.importers), setError);
  }, [kind]);

  const runPreview = async (mappingOptions = options) => {
    const asked = ++previewRequest.current;
    // only the latest preview matters: stop the trial import of the one before
    previewAbort.current?.abort();
    const controller = new AbortController();
    previewAbort.current = controller;
    setPreviewing(true);
    setError(null);
    try {
      const result = await client().call(
        'import.preview',
        {
          kind,
          paths,
          format: format || undefined,
          options: mappingOptions,
        },
        { signal: controller.signal },
      );
      // a later preview (another mapping) was asked meanwhile: its answer is the one to show
      if (asked !== previewRequest.current) return;
      setPreview(result);
      if (!name && paths[0]) setName(nameFromPath(paths[0]));
    } catch (e) {
      if (asked !== previewRequest.current) return;
      setError(e);
      setPreview(null);
    } finally {
      if (asked === previewRequest.current) setPreviewing(false);
    }
  };

  const browse = async () => {
    const bridge = electronBridge();
    if (!bridge) return;
    const picked = await bridge.openDialog({
      pick: kind === 'images' || kind === 'videos' ? 'folder' : 'file',
      multiple: true,
    });
    if (picked.paths.length) setPathsText(picked.paths.join('\n'));
  };

  const importNow = async () => {
    setError(null);
    const ok = await startImport({ kind, paths, name, format: preview?.format ?? undefined, options });
    setJobId(ok ? 'done' : 'failed');
  };

  const running = job?.status === 'running';
  return (
    <section className="wizard">
      <h1>Import a dataset</h1>
      <ol className="steps">
        <li>
          <h3>1 · What and where</h3>
          <div className="kind-choices" role="radiogroup">
            {kinds.map((k) => (
              // biome-ignore lint/a11y/useSemanticElements: a card-sized choice with a description reads better as a button
              <button
                type="button"
                role="radio"
                aria-checked={kind === k.id}
                key={k.id}
                className={`kind-choice ${kind === k.id ? 'chosen' : ''}`}
                onClick={() => {
                  setKind(k.id);
                  setPreview(null);
                  setFormat('');
                }}
              >
                <strong>{k.title}</strong>
                <span>{k.text}</span>
              </button>
            ))}
          </div>
          {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping files is an extra; the text field does the same */}
          <div
            className="drop"
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => {
              e.preventDefault();
              const dropped = droppedPaths(e.dataTransfer);
              if (dropped.length) setPathsText(dropped.join('\n'));
            }}
          >
            <label htmlFor="import-paths">
              Files or folders on the machine running Constellation, one per line (or drop them here)
            </label>
            <textarea
              id="import-paths"
              rows={2}
              value={pathsText}
              placeholder="/data/ratings.csv"
              onChange={(e) => setPathsText(e.target.value)}
            />
            <div className="row">
              {electronBridge() && (
                <button type="button" onClick={() => void browse()}>
                  Browse…
                </button>
              )}
              <label className="inline-label">
                Format
                <select value={format} onChange={(e) => setFormat(e.target.value)} aria-label="Format">
                  <option value="">detect</option>
                  {formats.map((f) => (
                    <option key={f.format} value={f.format} title={f.description}>
                      {f.format}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="primary"
                disabled={paths.length === 0 || previewing}
                onClick={() => void runPreview()}
              >
                {previewing ? 'Checking…' : 'Preview'}
              </button>
            </div>
          </div>
        </li>
        {preview && (
          <li data-testid="preview">
            <h3>2 · Check</h3>
            <p>
              Format <strong>{preview.format ?? 'unknown'}</strong>
              {preview.description ? <span className="muted"> — {preview.description}</span> : null}
            </p>
            {preview.files.map((f) => (
              <div key={f.path} className="preview-file">
                <p className="small">
                  <code>{f.path}</code> · {f.type === 'folder' ? 'folder' : formatBytes(f.bytes)}
                  {f.table &&
                    ` · delimiter ${describeDelimiter(f.table.delimiter)} · ${f.table.columns} columns · ${f.table.header ? 'header row' : 'no header'}`}
                </p>
                {f.entries && (
                  <p className="small muted">
                    {f.entries.join(', ')}
                    {f.entries.length >= 16 ? ', …' : ''}
                  </p>
                )}
                {f.rows.length > 0 && (
                  <div className="scroll">
                    <table className="grid">
                      {f.table?.header && (
                        <thead>
                          <tr>
                            {f.table.header.map((h, k) => (
                              // biome-ignore lint/suspicious/noArrayIndexKey: header cells are identified by position
                              <th key={`${h}-${k}`}>{h}</th>
                            ))}
                          </tr>
                        </thead>
                      )}
                      <tbody>
                        {f.rows.map((row, r) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: preview rows are identified by their line
                          <tr key={`${f.path}-${r}`}>
                            {row.map((cell, c) => (
                              // biome-ignore lint/suspicious/noArrayIndexKey: cells are identified by position
                              <td key={`${r}-${c}`}>{cell}</td>
                            ))}
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </div>
            ))}
            {preview.columns && (
              <div className="mapping">
                <h4>Columns</h4>
                {roles.map((role) => (
                  <label key={role} className="inline-label">
                    {role}
                    <select
                      aria-label={`${role} column`}
                      value={mapping[role] ?? preview.columns?.[role] ?? -1}
                      onChange={(e) => {
                        const next = { ...mapping, [role]: Number(e.target.value) };
                        setMapping(next);
                        const nextOptions = Object.fromEntries(
                          Object.entries(next)
                            .filter(([, at]) => at >= 0)
                            .map(([r, at]) => [r, at + 1]),
                        );
                        void runPreview(nextOptions);
                      }}
                    >
                      {role !== 'user' && role !== 'item' && <option value={-1}>none</option>}
                      {Array.from({ length: columnCount }, (_, k) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: a column is its position
                        <option key={k} value={k}>
                          {header ? header[k] : `column ${k + 1}`}
                        </option>
                      ))}
                    </select>
                  </label>
                ))}
              </div>
            )}
            {preview.errors.length > 0 ? (
              <div className="error" role="alert" data-testid="validation-errors">
                <div className="error-title">These files cannot be imported as they are</div>
                <ul>
                  {preview.errors.map((e, k) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: errors have no id; the list is replaced whole
                    <li key={`${e.file}-${e.line}-${k}`}>
                      <code>
                        {e.file.split('/').at(-1)}
                        {e.line != null ? `:${e.line}` : ''}
                      </code>
                      {e.field ? ` (${e.field})` : ''} {e.message}
                    </li>
                  ))}
                </ul>
              </div>
            ) : preview.checked.rows === 0 && !preview.checked.complete ? (
              <p className="muted">
                The check ran out of time before reading a row; the import checks every row and stops at the
                first error.
              </p>
            ) : (
              <p className="ok" data-testid="validation-ok">
                ✓ {preview.checked.complete ? 'All' : 'The first'} {preview.checked.rows.toLocaleString('en')}{' '}
                rows read without error
                {preview.checked.complete ? '' : ' (the rest is checked while importing)'}.
              </p>
            )}
          </li>
        )}
        {preview && preview.errors.length === 0 && (
          <li>
            <h3>3 · Import</h3>
            <div className="row">
              <label className="inline-label">
                Dataset name
                <input aria-label="Dataset name" value={name} onChange={(e) => setName(e.target.value)} />
              </label>
              <button
                type="button"
                className="primary"
                disabled={!name.trim() || running}
                onClick={() => void importNow()}
              >
                Import
              </button>
            </div>
          </li>
        )}
      </ol>
      {job && <JobProgress job={job} />}
      {jobId === 'done' && job?.status === 'done' && (
        <p className="ok">
          Imported.{' '}
          <button type="button" className="link" onClick={() => update(navigate('home'))}>
            See it on Home
          </button>
        </p>
      )}
      <ErrorMessage error={error} />
    </section>
  );
}
