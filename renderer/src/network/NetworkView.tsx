// The network view: a network dataset drawn as a sample or as the ego network of a searched node,
// grown by expanding nodes (hubs sampled down to a limit, and said so), coloured by entity type
// with a legend that filters, node details on click, and the shown network exported as GEXF.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { CommandOutput } from '../../../src/api/index.ts';
import { client } from '../actions.ts';
import { EntitySearch } from '../components/EntitySearch.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { otherColour, palette } from '../explorer/categories.ts';
import { useStore } from '../state/store.ts';
import { NetworkCanvas } from './NetworkCanvas.tsx';
import {
  emptyNetwork,
  fromSample,
  type ShownNetwork,
  typeLegend,
  visibleNodes,
  withEgo,
} from './shown-network.ts';
import './network.css';

type NodeDetails = CommandOutput<'network.node'>;

export function NetworkView() {
  const datasets = useStore((s) => s.datasets);
  const networks = useMemo(() => (datasets ?? []).filter((d) => d.kind === 'network'), [datasets]);
  const [dataset, setDataset] = useState<string | null>(null);
  const [shown, setShown] = useState<ShownNetwork>(emptyNetwork(''));
  const [hiddenTypes, setHiddenTypes] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState<number | null>(null);
  const [focus, setFocus] = useState<number | null>(null);
  const [details, setDetails] = useState<NodeDetails | null>(null);
  const [limit, setLimit] = useState(100);
  const [sampleSize, setSampleSize] = useState(200);
  const [seed, setSeed] = useState(1);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (dataset === null && networks.length > 0) setDataset(networks[0].name);
  }, [dataset, networks]);

  const types = useMemo(
    () => Object.keys(networks.find((d) => d.name === dataset)?.stats.entities ?? {}),
    [networks, dataset],
  );
  const legend = useMemo(() => typeLegend(shown, types, palette, otherColour), [shown, types]);
  const colours = useMemo(() => new Map(legend.map((t) => [t.type, t.colour])), [legend]);

  async function work<T>(what: string, task: () => Promise<T>): Promise<T | undefined> {
    setBusy(what);
    setError(null);
    try {
      return await task();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(null);
    }
  }

  async function sample(name: string, sampleSeed: number) {
    const answer = await work('Sampling', () =>
      client().call('network.sample', { dataset: name, nodes: sampleSize, seed: sampleSeed }),
    );
    if (!answer) return;
    setShown(fromSample(name, answer));
    setFocus(null);
    void select(null);
  }

  // a dataset chosen: a sample of it, the same one each time it is opened
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new dataset draws a sample by itself
  useEffect(() => {
    if (dataset !== null) void sample(dataset, 1);
  }, [dataset]);

  async function grow(node: number, fresh: boolean) {
    if (dataset === null) return;
    const base = fresh ? emptyNetwork(dataset) : shown;
    const answer = await work('Expanding', () =>
      client().call('network.ego', { dataset, node, shown: [...base.nodes.keys()], limit }),
    );
    if (!answer) return;
    setShown(withEgo(node, answer)(base));
    if (fresh) {
      setFocus(node);
      void select(null);
    } else if (selected === node) void select(node);
  }

  async function select(node: number | null) {
    setSelected(node);
    setDetails(null);
    if (node === null || dataset === null) return;
    try {
      setDetails(await client().call('network.node', { dataset, node }));
    } catch (e) {
      setError(e);
    }
  }

  async function exportGexf() {
    if (dataset === null) return;
    const nodes = visibleNodes(shown, hiddenTypes);
    const answer = await work('Exporting', () => client().call('network.export', { dataset, nodes }));
    if (!answer) return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([answer.gexf], { type: 'application/gexf+xml' }));
    link.download = `${dataset.replace(/[^\w.-]+/g, '-')}-network.gexf`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  function toggle(type: string) {
    const next = new Set(hiddenTypes);
    if (next.has(type)) next.delete(type);
    else next.add(type);
    setHiddenTypes(next);
  }

  const onSearchError = useCallback((e: unknown) => setError(e), []);
  const selectedNode = selected === null ? undefined : shown.nodes.get(selected);
  const expansion = selected === null ? undefined : shown.expansions.get(selected);
  const capped = [...shown.expansions].filter(([, e]) => e.hidden > 0);

  if (datasets !== null && networks.length === 0) {
    return (
      <section>
        <h1>Network</h1>
        <div className="empty">
          No network dataset yet. Import one (TSV, GEXF, DBLP four-area...) or build the demo.
        </div>
      </section>
    );
  }

  return (
    <section className="netview">
      <div className="netview-controls">
        <label className="inline-label">
          Dataset
          <select
            aria-label="Dataset"
            value={dataset ?? ''}
            onChange={(e) => {
              setHiddenTypes(new Set());
              setDataset(e.target.value);
            }}
          >
            {networks.map((d) => (
              <option key={d.id} value={d.name}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <EntitySearch
          dataset={dataset}
          label="Find a node"
          placeholder="Find a node by name…"
          onPick={(entity) => void grow(entity.id, true)}
          onError={onSearchError}
        />
        <label className="inline-label">
          neighbours per expansion
          <input
            type="number"
            className="narrow"
            aria-label="neighbours per expansion"
            min={1}
            max={5000}
            value={limit}
            onChange={(e) => setLimit(Math.min(5000, Math.max(1, Number(e.target.value) || 1)))}
          />
        </label>
        <label className="inline-label">
          sample
          <input
            type="number"
            className="narrow"
            aria-label="sample size"
            min={1}
            max={5000}
            value={sampleSize}
            onChange={(e) => setSampleSize(Math.min(5000, Math.max(1, Number(e.target.value) || 1)))}
          />
        </label>
        <button
          type="button"
          disabled={dataset === null || busy !== null}
          onClick={() => {
            const next = seed + 1;
            setSeed(next);
            if (dataset !== null) void sample(dataset, next);
          }}
        >
          Random sample
        </button>
        <button type="button" disabled={shown.nodes.size === 0 || busy !== null} onClick={exportGexf}>
          Export GEXF
        </button>
        {busy && <span className="muted small">{busy}…</span>}
      </div>
      {error ? <ErrorMessage error={error} /> : null}
      {capped.length > 0 && (
        <div className="netview-notice" data-testid="capped">
          {capped.map(([id, e]) => {
            const node = shown.nodes.get(id);
            return (
              <div key={id}>
                {node?.label ?? node?.key} has {e.neighbours.toLocaleString('en')} neighbours:{' '}
                {(e.neighbours - e.hidden).toLocaleString('en')} drawn (at most {limit.toLocaleString('en')}{' '}
                more per expansion, a random sample), {e.hidden.toLocaleString('en')} left out. Expand it
                again for more.
              </div>
            );
          })}
        </div>
      )}
      <div className="netview-body">
        <NetworkCanvas
          shown={shown}
          colours={colours}
          hiddenTypes={hiddenTypes}
          selected={selected}
          focus={focus}
          onSelect={(node) => void select(node)}
        />
        <aside className="netview-side">
          <p className="muted small" data-testid="network-summary">
            {shown.nodes.size.toLocaleString('en')} nodes · {shown.edges.length.toLocaleString('en')}{' '}
            relations
            {shown.sampledFrom &&
              ` · a sample of ${shown.sampledFrom.nodes.toLocaleString('en')} nodes and ${shown.sampledFrom.edges.toLocaleString('en')} relations`}
          </p>
          <div className="legend" data-testid="network-legend">
            <h4>Entity types</h4>
            <ul>
              {legend.map((t) => (
                <li key={t.type}>
                  <button
                    type="button"
                    className={`netview-toggle ${hiddenTypes.has(t.type) ? 'off' : ''}`}
                    aria-pressed={!hiddenTypes.has(t.type)}
                    title={hiddenTypes.has(t.type) ? `Show ${t.type}` : `Hide ${t.type}`}
                    onClick={() => toggle(t.type)}
                  >
                    <span className="swatch" style={{ background: t.colour }} /> {t.type}
                    <span className="num muted small">{t.count.toLocaleString('en')}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
          {selectedNode && (
            <div className="panel netview-details" data-testid="node-details">
              <h4>{selectedNode.label ?? selectedNode.key}</h4>
              <dl>
                <dt>key</dt>
                <dd>{selectedNode.key}</dd>
                <dt>type</dt>
                <dd>{selectedNode.type}</dd>
                {selectedNode.class !== null && (
                  <>
                    <dt>class</dt>
                    <dd>{selectedNode.class}</dd>
                  </>
                )}
                <dt>degree</dt>
                <dd>{selectedNode.degree.toLocaleString('en')}</dd>
                {details &&
                  Object.entries(details.attributes ?? {}).map(([name, value]) => (
                    <AttributeRow key={name} name={name} value={value} />
                  ))}
              </dl>
              {details && details.relations.length > 0 && (
                <table className="netview-degrees">
                  <tbody>
                    {details.relations.map((r) => (
                      <tr key={`${r.relation}-${r.direction}`}>
                        <td>
                          {r.relation} {r.direction === 'out' ? '→' : '←'} {r.other}
                        </td>
                        <td className="num">{r.count.toLocaleString('en')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {expansion && (
                <p className="muted small">
                  {(expansion.neighbours - expansion.hidden).toLocaleString('en')} of{' '}
                  {expansion.neighbours.toLocaleString('en')} neighbours shown
                </p>
              )}
              <button
                type="button"
                className="primary"
                disabled={busy !== null || (expansion !== undefined && expansion.hidden === 0)}
                onClick={() => void grow(selectedNode.id, false)}
              >
                Expand
              </button>
            </div>
          )}
        </aside>
      </div>
    </section>
  );
}

function AttributeRow({ name, value }: { name: string; value: unknown }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
    </>
  );
}
