import { useEffect, useState } from 'react';
import type { CommandOutput, Dataset } from '../../../src/api/index.ts';
import { client, loadTrainingChoices, refresh, resumeRun } from '../actions.ts';
import { electronBridge } from '../api.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { formatBytes, formatDate, formatNumber } from '../format.ts';
import { catalogModelOf } from '../state/derived.ts';
import { navigate } from '../state/producers.ts';
import { update, useStore } from '../state/store.ts';

export function Home() {
  const workspace = useStore((s) => s.workspace);
  const datasets = useStore((s) => s.datasets);
  const runs = useStore((s) => s.runs);
  return (
    <section>
      <header className="page-head">
        <div>
          <h1>{workspace?.name ?? 'Workspace'}</h1>
          <p className="muted">
            {workspace ? `${workspace.path} · ${formatBytes(workspace.bytes)}` : ''}
            {datasets ? ` · ${datasets.length} datasets` : ''}
            {runs ? ` · ${runs.length} runs` : ''}
          </p>
        </div>
        <button type="button" className="primary" onClick={() => update(navigate('import'))}>
          Import a dataset
        </button>
      </header>
      <PausedRuns />
      {datasets?.length === 0 && (
        <div className="empty">
          <p>This workspace has no datasets yet.</p>
          <p className="muted">
            Import a network, an interaction log, or a folder of images or videos to begin.
          </p>
        </div>
      )}
      <div className="cards">
        {datasets?.map((d) => (
          <DatasetCard key={d.id} dataset={d} runs={runs?.filter((r) => r.dataset === d.name).length ?? 0} />
        ))}
      </div>
      <RecentWorkspaces />
    </section>
  );
}

/** A dataset in one line: what its statistics say first. */
function datasetSummary(d: Dataset): string {
  const { stats } = d;
  if (stats.interactions) {
    const { users, items, interactions } = stats.interactions;
    return `${formatNumber(users)} users · ${formatNumber(items)} items · ${formatNumber(interactions)} interactions`;
  }
  if (stats.media) {
    const size = stats.media.width ? ` · ${stats.media.width}×${stats.media.height}` : '';
    const classes = stats.classes ? ` · ${Object.keys(stats.classes).length} classes` : '';
    return `${formatNumber(stats.media.count)} ${d.kind === 'videos' ? 'clips' : 'images'}${size}${classes}`;
  }
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return `${formatNumber(total(stats.entities))} entities of ${Object.keys(stats.entities).length} types · ${formatNumber(total(stats.relations))} relations`;
}

/**
 * The other workspaces opened recently (the app's File › Recent Workspaces). The app switches to
 * one in place; a serve-mode server serves one workspace, so the page says how to serve another.
 */
function RecentWorkspaces() {
  const workspace = useStore((s) => s.workspace);
  const [recent, setRecent] = useState<CommandOutput<'workspaces.recent'> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const bridge = electronBridge();
  useEffect(() => {
    if (!workspace) return;
    client().call('workspaces.recent', {}).then(setRecent, setError);
  }, [workspace]);
  const open = (path?: string) => bridge?.openWorkspace({ path }).catch(setError);
  return (
    <div className="panel recent-workspaces" data-testid="recent-workspaces">
      <h3>Other workspaces</h3>
      {bridge ? (
        <p className="muted small">
          <button type="button" onClick={() => open()}>
            Open a workspace…
          </button>{' '}
          or one opened recently:
        </p>
      ) : (
        <p className="muted small">
          This page serves one workspace. To work on another, serve it:{' '}
          <code>constellation serve --workspace FILE</code> (the app lists the ones it opened here).
        </p>
      )}
      {recent?.workspaces.length === 0 && <p className="muted small">No other workspace opened recently.</p>}
      <ul className="workspace-list">
        {recent?.workspaces.map((w) => (
          <li key={w.path} data-testid={`workspace-${w.name}`}>
            <div className="row">
              <strong>{w.name}</strong>
              <span className="muted small">
                {w.path} · {formatBytes(w.bytes)} · changed {formatDate(w.modifiedAt)}
                {w.runs !== null ? ` · ${w.runs} runs` : ''}
              </span>
              {bridge ? (
                <button type="button" onClick={() => open(w.path)}>
                  Open {w.name}
                </button>
              ) : (
                <code className="small">constellation serve --workspace "{w.path}"</code>
              )}
            </div>
            {w.problem && <p className="error-message small">Cannot read it: {w.problem}</p>}
            {w.datasets?.length === 0 && <p className="muted small">no datasets yet</p>}
            {w.datasets && w.datasets.length > 0 && (
              <table className="counts small">
                <tbody>
                  {w.datasets.map((d) => (
                    <tr key={d.id}>
                      <td>{d.name}</td>
                      <td>
                        <span className={`kind kind-${d.kind}`}>{d.kind}</span>
                      </td>
                      <td>{datasetSummary(d)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </li>
        ))}
      </ul>
      <ErrorMessage error={error} />
    </div>
  );
}

/**
 * Runs stopped with a checkpoint, as closing the app during training leaves them (it pauses the
 * run rather than losing it): the first thing the next start offers.
 */
function PausedRuns() {
  const runs = useStore((s) => s.runs);
  const models = useStore((s) => s.models);
  const paused = runs?.filter((r) => r.status === 'paused' && r.resumable) ?? [];
  useEffect(() => {
    if (paused.length > 0 && !models) void loadTrainingChoices();
  }, [paused.length, models]);
  if (paused.length === 0) return null;
  return (
    <div className="panel paused-runs" data-testid="paused-runs">
      <h3>Paused training</h3>
      <ul>
        {paused.map((run) => {
          const model = models ? catalogModelOf(models, run) : undefined;
          return (
            <li key={run.id}>
              Run {run.id} · {run.model} on {run.dataset}, stopped at its last checkpoint{' '}
              {formatDate(run.startedAt ?? run.createdAt)}{' '}
              {model && (
                <button type="button" onClick={() => resumeRun(run, model.id)}>
                  Resume run {run.id}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function CountTable({ title, counts }: { title: string; counts: Record<string, number> }) {
  const entries = Object.entries(counts);
  if (entries.length === 0) return null;
  return (
    <div className="stat-block">
      <h4>{title}</h4>
      <table className="counts">
        <tbody>
          {entries.map(([name, n]) => (
            <tr key={name}>
              <td>{name}</td>
              <td className="num">{formatNumber(n)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DatasetCard({ dataset, runs }: { dataset: Dataset; runs: number }) {
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [sample, setSample] = useState<CommandOutput<'datasets.sample'> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { stats } = dataset;
  const act = async (work: () => Promise<unknown>) => {
    try {
      setError(null);
      await work();
      await refresh();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <article className="card" data-testid={`dataset-${dataset.name}`}>
      <header className="card-head">
        {renaming === null ? (
          <h2>{dataset.name}</h2>
        ) : (
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                await client().call('datasets.rename', { name: dataset.name, newName: renaming });
                setRenaming(null);
              });
            }}
          >
            <input aria-label="New name" value={renaming} onChange={(e) => setRenaming(e.target.value)} />
            <button type="submit">Save</button>
            <button type="button" onClick={() => setRenaming(null)}>
              Cancel
            </button>
          </form>
        )}
        <span className={`kind kind-${dataset.kind}`}>{dataset.kind}</span>
      </header>
      <p className="muted small">
        {dataset.source.format} · imported {formatDate(dataset.createdAt)} · {runs} runs
      </p>
      <div className="stats">
        {stats.interactions && (
          <div className="stat-block">
            <h4>Interactions</h4>
            <table className="counts">
              <tbody>
                <tr>
                  <td>users</td>
                  <td className="num">{formatNumber(stats.interactions.users)}</td>
                </tr>
                <tr>
                  <td>items</td>
                  <td className="num">{formatNumber(stats.interactions.items)}</td>
                </tr>
                <tr>
                  <td>interactions</td>
                  <td className="num">{formatNumber(stats.interactions.interactions)}</td>
                </tr>
                <tr>
                  <td>sequence length</td>
                  <td className="num">
                    {stats.interactions.sequenceLength.min}–{stats.interactions.sequenceLength.max} (median{' '}
                    {formatNumber(stats.interactions.sequenceLength.median)}, mean{' '}
                    {formatNumber(stats.interactions.sequenceLength.mean)})
                  </td>
                </tr>
              </tbody>
            </table>
          </div>
        )}
        {!stats.interactions && <CountTable title="Entities" counts={stats.entities} />}
        {!stats.interactions && <CountTable title="Relations" counts={stats.relations} />}
        {stats.media && (
          <div className="stat-block">
            <h4>Media</h4>
            <p>
              {formatNumber(stats.media.count)} {dataset.kind === 'videos' ? 'clips' : 'images'}
              {stats.media.width ? ` · ${stats.media.width}×${stats.media.height}` : ''}
              {stats.media.channels
                ? ` · ${stats.media.channels} channel${stats.media.channels > 1 ? 's' : ''}`
                : ''}
              {stats.media.frames ? ` · ${stats.media.frames} frames` : ''}
            </p>
          </div>
        )}
        {stats.classes && (
          <CountTable title={`Classes (${Object.keys(stats.classes).length})`} counts={stats.classes} />
        )}
      </div>
      <div className="actions">
        <button
          type="button"
          onClick={() =>
            void act(async () =>
              setSample(
                sample ? null : await client().call('datasets.sample', { name: dataset.name, rows: 5 }),
              ),
            )
          }
        >
          {sample ? 'Hide sample rows' : 'Sample rows'}
        </button>
        <button type="button" onClick={() => setRenaming(dataset.name)}>
          Rename
        </button>
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete
        </button>
      </div>
      {confirming && (
        <div className="confirm" role="dialog" aria-label="Confirm delete">
          <p>
            Delete <strong>{dataset.name}</strong> with its {runs} runs, their embeddings and checkpoints?
            This cannot be undone.
          </p>
          <button
            type="button"
            className="danger"
            onClick={() => void act(() => client().call('datasets.delete', { name: dataset.name }))}
          >
            Delete {dataset.name}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      <ErrorMessage error={error} />
      {sample && <SampleRows sample={sample} />}
    </article>
  );
}

function SampleRows({ sample }: { sample: CommandOutput<'datasets.sample'> }) {
  return (
    <div className="sample">
      {sample.entities.map((e) => (
        <div key={e.type}>
          <h4>
            {e.type} <span className="muted">({formatNumber(e.total)})</span>
          </h4>
          <table className="grid">
            <thead>
              <tr>
                <th>key</th>
                <th>label</th>
                <th>class</th>
                <th>attributes</th>
              </tr>
            </thead>
            <tbody>
              {e.rows.map((r) => (
                <tr key={r.key}>
                  <td>{r.key}</td>
                  <td>{r.label ?? ''}</td>
                  <td>{r.classLabel ?? ''}</td>
                  <td className="small">{r.attributes ? JSON.stringify(r.attributes).slice(0, 80) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {sample.relations.length > 0 && (
        <div>
          <h4>Relations</h4>
          <table className="grid">
            <thead>
              <tr>
                <th>type</th>
                <th>source</th>
                <th>target</th>
                <th>time</th>
                <th>weight</th>
              </tr>
            </thead>
            <tbody>
              {sample.relations.map((r, k) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: sample relations have no id; their order is their identity
                <tr key={`${r.relationType}-${k}`}>
                  <td>{r.relationType}</td>
                  <td>{r.source}</td>
                  <td>{r.target}</td>
                  <td>{r.time ?? ''}</td>
                  <td>{r.weight ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
