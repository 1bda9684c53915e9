// The recommendation view: a run on an interaction log (BERT4Rec, SASRec, popularity), a user
// found by name, their history as a timeline, the run's top-k next items with scores (the same
// `recommend` command as `constellation recommend`), and any clicked item's nearest items by the
// run's item embeddings.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { CommandOutput } from '../../../src/api/index.ts';
import { client } from '../actions.ts';
import { EntitySearch } from '../components/EntitySearch.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { useStore } from '../state/store.ts';
import './recommendation.css';

/** What train.bert4rec stores its runs as. */
const sequenceModels = ['bert4rec', 'sasrec', 'popularity'];

type History = CommandOutput<'interactions.history'>;
type Recommended = CommandOutput<'recommend'>;
type Nearest = CommandOutput<'neighbours.query'>;

/**
 * Logs give times as seconds since 1970 or as plain step numbers; only the former read as dates
 * (anything from 1973 on), the rest is shown as it is.
 */
function when(time: number | null): string {
  if (time === null) return '';
  if (time >= 1e8) return `${new Date(time * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return String(time);
}

export function Recommendations() {
  const runs = useStore((s) => s.runs);
  const usable = useMemo(
    () => (runs ?? []).filter((r) => sequenceModels.includes(r.model) && r.status === 'done'),
    [runs],
  );
  const [runId, setRunId] = useState<number | null>(null);
  const [user, setUser] = useState<string | null>(null);
  const [k, setK] = useState(10);
  const [history, setHistory] = useState<History | null>(null);
  const [recommended, setRecommended] = useState<Recommended | null>(null);
  const [item, setItem] = useState<{ key: string; label: string | null } | null>(null);
  const [nearest, setNearest] = useState<Nearest | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (runId === null && usable.length > 0) setRunId(usable[0].id);
  }, [runId, usable]);
  const run = usable.find((r) => r.id === runId) ?? null;

  useEffect(() => {
    if (runId === null || user === null) return;
    let stale = false;
    setError(null);
    Promise.all([
      client().call('interactions.history', { run: runId, user }),
      client().call('recommend', { run: runId, user, k }),
    ]).then(
      ([h, r]) => {
        if (stale) return;
        setHistory(h);
        setRecommended(r);
      },
      (e) => {
        if (!stale) setError(e);
      },
    );
    return () => {
      stale = true;
    };
  }, [runId, user, k]);

  async function showNearest(key: string, label: string | null) {
    setItem({ key, label });
    setNearest(null);
    if (!run?.hasEmbeddings) return;
    try {
      setNearest(
        await client().call('neighbours.query', { run: run.id, entity: key, entityType: 'item', k: 10 }),
      );
    } catch (e) {
      setError(e);
    }
  }

  const onSearchError = useCallback((e: unknown) => setError(e), []);

  if (runs !== null && usable.length === 0) {
    return (
      <section>
        <h1>Recommend</h1>
        <div className="empty">
          No finished BERT4Rec, SASRec or popularity run yet. Train one on an interaction log, then come back
          to see what it recommends.
        </div>
      </section>
    );
  }

  const itemButton = (key: string, label: string | null) => (
    <button
      type="button"
      className={`recview-item ${item?.key === key ? 'active' : ''}`}
      onClick={() => void showNearest(key, label)}
    >
      {label ?? key}
    </button>
  );

  return (
    <section className="recview">
      <div className="recview-controls">
        <label className="inline-label">
          Run
          <select
            aria-label="Run"
            value={runId ?? ''}
            onChange={(e) => {
              setRunId(Number(e.target.value));
              setUser(null);
              setHistory(null);
              setRecommended(null);
              setItem(null);
              setNearest(null);
            }}
          >
            {usable.map((r) => (
              <option key={r.id} value={r.id}>
                {`#${r.id} ${r.model} on ${r.dataset}`}
              </option>
            ))}
          </select>
        </label>
        <EntitySearch
          dataset={run?.dataset ?? null}
          type="user"
          label="Find a user"
          placeholder="Find a user…"
          onPick={(entity) => {
            setUser(entity.key);
            setItem(null);
            setNearest(null);
          }}
          onError={onSearchError}
        />
        <label className="inline-label">
          top
          <input
            type="number"
            className="narrow"
            aria-label="k"
            min={1}
            max={100}
            value={k}
            onChange={(e) => setK(Math.min(100, Math.max(1, Number(e.target.value) || 1)))}
          />
        </label>
        {user && <strong data-testid="user">user {user}</strong>}
      </div>
      {error ? <ErrorMessage error={error} /> : null}
      {user === null ? (
        <div className="empty">Find a user to see their history and what the run recommends next.</div>
      ) : (
        <div className="recview-body">
          <div className="panel" data-testid="history">
            <h3>History</h3>
            {history && (
              <>
                <p className="muted small">
                  {history.items.length < history.total
                    ? `the latest ${history.items.length} of ${history.total.toLocaleString('en')} interactions`
                    : `${history.total.toLocaleString('en')} interactions`}
                </p>
                <ol className="timeline">
                  {history.items.map((h, i) => (
                    // the same item may come back at another time
                    // biome-ignore lint/suspicious/noArrayIndexKey: a history is a fixed list, its positions are its identity
                    <li key={i}>
                      <span className="muted small">{when(h.time)}</span> {itemButton(h.item, h.label)}
                    </li>
                  ))}
                </ol>
              </>
            )}
          </div>
          <div className="panel" data-testid="recommendations">
            <h3>Next {k} items</h3>
            {recommended && (
              <>
                <p className="muted small">
                  {recommended.model} · from a history of {recommended.history} items · seen ones left out
                </p>
                <ol className="recview-list">
                  {recommended.recommendations.map((r) => (
                    <li key={r.item}>
                      {itemButton(r.item, r.label)} <span className="muted small">{r.item}</span>{' '}
                      <span className="num small">{r.score.toFixed(4)}</span>
                    </li>
                  ))}
                </ol>
              </>
            )}
          </div>
          <div className="panel" data-testid="nearest">
            <h3>{item ? `Nearest to ${item.label ?? item.key}` : 'Nearest items'}</h3>
            {!item && <p className="muted small">Click an item to see the items nearest to it.</p>}
            {item && run && !run.hasEmbeddings && (
              <p className="muted small">
                Run #{run.id} ({run.model}) has no item embeddings: nearest items need a BERT4Rec or SASRec
                run.
              </p>
            )}
            {nearest && (
              <ol className="recview-list">
                {nearest.neighbours.map((n) => (
                  <li key={n.entity_id}>
                    {itemButton(n.key, n.label)} <span className="muted small">{n.key}</span>{' '}
                    <span className="num small">{n.similarity.toFixed(3)}</span>
                  </li>
                ))}
              </ol>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
