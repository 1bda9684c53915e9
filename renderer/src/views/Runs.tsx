import { useEffect, useState } from 'react';
import type { CommandOutput, ModelDescriptor, RunSummary } from '../../../src/api/index.ts';
import { client, refreshRuns, resumeRun } from '../actions.ts';
import { Chart } from '../components/Chart.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { formatDate, formatNumber, formatSeconds } from '../format.ts';
import { catalogModelOf, keyMetrics, runMatches, settingsOf } from '../state/derived.ts';
import { draftTraining, loaded } from '../state/producers.ts';
import { update, useStore } from '../state/store.ts';

type Detail = CommandOutput<'runs.get'>;

export function Runs() {
  const runs = useStore((s) => s.runs);
  const models = useStore((s) => s.models);
  const [selected, setSelected] = useState<number[]>([]);
  const [details, setDetails] = useState<Record<number, Detail>>({});
  const [error, setError] = useState<unknown>(null);
  const [filter, setFilter] = useState('');

  useEffect(() => {
    void refreshRuns();
    if (!models)
      void client()
        .call('models.list', {})
        .then((r) => update(loaded({ models: r.models })));
  }, [models]);

  useEffect(() => {
    for (const id of selected) {
      if (details[id]) continue;
      client()
        .call('runs.get', { run: id })
        .then((d) => setDetails((all) => ({ ...all, [id]: d })), setError);
    }
  }, [selected, details]);

  const toggle = (id: number) =>
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const chosen = selected.map((id) => details[id]).filter(Boolean);
  const metricNames = [...new Set(chosen.flatMap((d) => Object.keys(d.series)))].sort();
  const shown = runs?.filter((run) => runMatches(run, filter)) ?? [];
  const curveNames = metricNames.filter((n) => chosen.some((d) => (d.series[n]?.steps.length ?? 0) > 1));

  return (
    <section>
      <header className="page-head">
        <div>
          <h1>Runs</h1>
          <p className="muted">Select runs to see their curves and compare them side by side.</p>
        </div>
        {runs && runs.length > 0 && (
          <label className="runs-filter">
            <input
              type="search"
              aria-label="Filter runs"
              placeholder="Filter: vit done, #12…"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
            <span className="muted small" data-testid="runs-shown">
              {shown.length === runs.length
                ? `${runs.length} run${runs.length === 1 ? '' : 's'}`
                : `${shown.length} of ${runs.length} runs`}
            </span>
          </label>
        )}
      </header>
      {runs?.length === 0 && <div className="empty">No runs yet. Train a model to see it here.</div>}
      {runs && runs.length > 0 && (
        <div className="scroll">
          <table className="grid runs-table" data-testid="runs-table">
            <thead>
              <tr>
                <th />
                <th>run</th>
                <th>model</th>
                <th>dataset</th>
                <th>status</th>
                <th>device</th>
                <th>duration</th>
                <th>started</th>
                <th>key metrics</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((run) => (
                <tr
                  key={run.id}
                  className={selected.includes(run.id) ? 'selected' : ''}
                  onClick={() => toggle(run.id)}
                >
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select run ${run.id}`}
                      checked={selected.includes(run.id)}
                      onChange={() => toggle(run.id)}
                      onClick={(e) => e.stopPropagation()}
                    />
                  </td>
                  <td className="num">{run.id}</td>
                  <td>{run.model}</td>
                  <td>{run.dataset}</td>
                  <td>
                    <span className={`status status-${run.status}`}>{run.status}</span>
                  </td>
                  <td>{run.device}</td>
                  <td className="num">{formatSeconds(run.seconds)}</td>
                  <td>{formatDate(run.startedAt ?? run.createdAt)}</td>
                  <td className="small">
                    {keyMetrics(run).map(([name, value]) => (
                      <span key={name} className="metric">
                        {name.replace(/^test\/|^val\//, '')} <strong>{formatNumber(value)}</strong>
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorMessage error={error} />
      {chosen.length === 1 && (
        <RunDetail detail={chosen[0]} models={models} onDeleted={() => setSelected([])} />
      )}
      {chosen.length > 1 && (
        <div className="panel" data-testid="compare">
          <h2>Comparing {chosen.length} runs</h2>
          <div className="scroll">
            <table className="grid">
              <thead>
                <tr>
                  <th>metric</th>
                  {chosen.map((d) => (
                    <th key={d.run.id}>
                      run {d.run.id} · {d.run.model}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {metricNames.map((name) => (
                  <tr key={name}>
                    <td>{name}</td>
                    {chosen.map((d) => (
                      <td key={d.run.id} className="num">
                        {formatNumber(d.run.metrics[name])}
                      </td>
                    ))}
                  </tr>
                ))}
                {configDifferences(chosen.map((d) => d.run)).map(([key, values]) => (
                  <tr key={`config-${key}`} className="config-row">
                    <td>setting {key}</td>
                    {values.map((v, k) => (
                      <td key={chosen[k].run.id}>{JSON.stringify(v)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="charts">
            {curveNames.map((name) => (
              <Chart
                key={name}
                title={name}
                series={chosen
                  .filter((d) => d.series[name])
                  .map((d) => ({
                    label: `run ${d.run.id}`,
                    steps: d.series[name].steps,
                    values: d.series[name].values,
                  }))}
              />
            ))}
          </div>
        </div>
      )}
    </section>
  );
}

function RunDetail({
  detail,
  models,
  onDeleted,
}: {
  detail: Detail;
  models: ModelDescriptor[] | null;
  onDeleted: () => void;
}) {
  const { run, series } = detail;
  const [confirming, setConfirming] = useState(false);
  const [format, setFormat] = useState<'tsv' | 'npy' | 'parquet'>('tsv');
  const [out, setOut] = useState(`run-${run.id}-embeddings.tsv`);
  const [modelOut, setModelOut] = useState(`run-${run.id}.onnx`);
  const [message, setMessage] = useState<string | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const catalog = models ? catalogModelOf(models, run) : undefined;
  const act = async (work: () => Promise<string | null>) => {
    setProblem(null);
    try {
      setMessage(await work());
    } catch (e) {
      setProblem(e);
    }
  };
  const curves = Object.entries(series).filter(([, s]) => s.steps.length > 1);
  return (
    <div className="panel" data-testid="run-detail">
      <h2>
        Run {run.id} · {run.model} on {run.dataset}{' '}
        <span className={`status status-${run.status}`}>{run.status}</span>
      </h2>
      {run.error && <p className="error-message">{run.error}</p>}
      <div className="actions">
        {catalog && (
          <button
            type="button"
            onClick={() =>
              update(
                draftTraining({
                  dataset: run.dataset,
                  model: catalog.id,
                  config: settingsOf(catalog, run.config),
                  inputs: Array.isArray(run.config.metapaths)
                    ? { metapaths: run.config.metapaths as string[] }
                    : {},
                  device: run.device,
                }),
              )
            }
          >
            Re-run with this config
          </button>
        )}
        {catalog && run.resumable && (
          <button type="button" onClick={() => resumeRun(run, catalog.id)}>
            Resume from its checkpoint
          </button>
        )}
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete run
        </button>
      </div>
      {confirming && (
        <div className="confirm" role="dialog" aria-label="Confirm delete">
          <p>Delete run {run.id} with its metrics, checkpoints and embeddings?</p>
          <button
            type="button"
            className="danger"
            onClick={() =>
              void act(async () => {
                await client().call('runs.delete', { run: run.id });
                onDeleted();
                await refreshRuns();
                return null;
              })
            }
          >
            Delete run {run.id}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      <div className="detail-grid">
        <div>
          <h4>Settings</h4>
          <table className="counts">
            <tbody>
              {Object.entries(run.config).map(([k, v]) => (
                <tr key={k}>
                  <td>{k}</td>
                  <td className="small">{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
                </tr>
              ))}
              {!('seed' in run.config) && (
                <tr>
                  <td>seed</td>
                  <td>{run.seed}</td>
                </tr>
              )}
              <tr>
                <td>device</td>
                <td>{run.device}</td>
              </tr>
              <tr>
                <td>code version</td>
                <td className="small">{run.codeVersion}</td>
              </tr>
            </tbody>
          </table>
        </div>
        <div>
          <h4>Metrics</h4>
          <table className="counts">
            <tbody>
              {Object.entries(run.metrics).map(([k, v]) => (
                <tr key={k}>
                  <td>{k}</td>
                  <td className="num">{formatNumber(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4>Export</h4>
          {run.hasEmbeddings ? (
            <div className="row">
              <select
                aria-label="Embedding format"
                value={format}
                onChange={(e) => {
                  const f = e.target.value as typeof format;
                  setFormat(f);
                  setOut(`run-${run.id}-embeddings.${f}`);
                }}
              >
                <option value="tsv">TSV (TensorBoard projector)</option>
                <option value="npy">NPY</option>
                <option value="parquet">Parquet</option>
              </select>
              <input aria-label="Embeddings file" value={out} onChange={(e) => setOut(e.target.value)} />
              <button
                type="button"
                onClick={() =>
                  void act(async () => {
                    const r = await client().call('export.embeddings', { run: run.id, format, out });
                    return `Wrote ${r.rows} vectors of ${r.dim} dimensions: ${r.files.join(', ')}`;
                  })
                }
              >
                Export embeddings
              </button>
            </div>
          ) : (
            <p className="muted small">This run stored no embeddings.</p>
          )}
          {run.hasModel && (
            <div className="row">
              <input aria-label="ONNX file" value={modelOut} onChange={(e) => setModelOut(e.target.value)} />
              <button
                type="button"
                onClick={() =>
                  void act(async () => {
                    const r = await client().call('export.model', { run: run.id, out: modelOut });
                    return `Wrote ${r.files[0]} (${r.bytes.toLocaleString('en')} bytes)`;
                  })
                }
              >
                Export ONNX model
              </button>
            </div>
          )}
          {message && <p className="ok">{message}</p>}
          <ErrorMessage error={problem} />
        </div>
      </div>
      <div className="charts">
        {curves.map(([name, s]) => (
          <Chart key={name} title={name} series={[{ label: name, steps: s.steps, values: s.values }]} />
        ))}
      </div>
    </div>
  );
}

/** Settings whose values differ between the runs compared. */
function configDifferences(runs: RunSummary[]): [string, unknown[]][] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.config)))].sort();
  return keys
    .map((k) => [k, runs.map((r) => r.config[k])] as [string, unknown[]])
    .filter(([, values]) => new Set(values.map((v) => JSON.stringify(v))).size > 1);
}
