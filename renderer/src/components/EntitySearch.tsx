// A search box over a dataset's entities (entities.search) with an autocomplete list: what the
// network view finds nodes with and the recommendation view finds users with.
import { useEffect, useState } from 'react';
import type { NetworkNode } from '../../../src/api/index.ts';
import { client } from '../actions.ts';

/** Wait after the last keystroke before asking: one query per pause, not per letter. */
const debounceMs = 150;

export function EntitySearch(props: {
  dataset: string | null;
  /** only entities of this type */
  type?: string;
  label: string;
  placeholder: string;
  onPick(entity: NetworkNode): void;
  onError(error: unknown): void;
}) {
  const { dataset, type, onError } = props;
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<NetworkNode[]>([]);

  useEffect(() => {
    const text = query.trim();
    if (!dataset || text === '') {
      setMatches([]);
      return;
    }
    let stale = false;
    const timer = setTimeout(async () => {
      try {
        const found = await client().call('entities.search', { dataset, query: text, type, limit: 8 });
        if (!stale) setMatches(found.matches);
      } catch (error) {
        if (!stale) onError(error);
      }
    }, debounceMs);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [dataset, type, query, onError]);

  function pick(entity: NetworkNode) {
    setQuery('');
    setMatches([]);
    props.onPick(entity);
  }

  return (
    <div className="search">
      <input
        type="search"
        aria-label={props.label}
        placeholder={props.placeholder}
        value={query}
        disabled={!dataset}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && matches.length > 0) pick(matches[0]);
          if (e.key === 'Escape') setQuery('');
        }}
      />
      {matches.length > 0 && (
        <ul className="autocomplete" aria-label="Matches">
          {matches.map((m) => (
            <li key={m.id}>
              <button type="button" onMouseDown={() => pick(m)}>
                {m.label ?? m.key}{' '}
                <span className="muted small">
                  {m.type} {m.key} · {m.degree.toLocaleString('en')} relations
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
