// The embedding explorer: a run with embeddings, its 2-D projection (PCA at once, UMAP on demand
// with progress and cancel), coloured by type, class or cluster (with the clusters' c-TF-IDF labels
// at their centres), with search, nearest neighbours of a clicked point, box and lasso selection
// with counts and CSV export, filters from the legends, and undo/redo of selections and filters.
// What is drawn lives in Scatter; this view holds the choices.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CommandInput, CommandOutput } from '../../../src/api/index.ts';
import { client } from '../actions.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { useStore } from '../state/store.ts';
import { AttentionMap } from './AttentionMap.tsx';
import { type Category, centresOf, colouringOf, countsOf, sizesOf } from './categories.ts';
import { type AlignedPoints, alignedPoints } from './comparison.ts';
import { namesOf, searchNames } from './name-search.ts';
import {
  type DragTool,
  type PlaceLabel,
  type Points,
  plotsPng,
  Scatter,
  type ScatterHandle,
} from './Scatter.tsx';
import { selectionCsv } from './selection.ts';
import { Thumbnail } from './Thumbnail.tsx';
import {
  type Attribute,
  changed,
  filteredOut,
  filteredShown,
  redone,
  selected,
  startHistory,
  toggledCategory,
  undone,
  type ViewProducer,
} from './view-history.ts';

type ColourBy = Attribute;
/** A clustering of the run: each point's cluster (null: noise) and what each cluster is about. */
interface Clusters {
  of: (number | null)[];
  /** cluster number to its top c-TF-IDF terms (its top class when its names have no words) */
  about: Map<number, string>;
}
type Neighbours = CommandOutput<'neighbours.query'>;
interface Loaded {
  points: Points;
  entityIds: number[];
  title: string;
  /** what was asked for this projection: a compared run is projected the same way */
  request: CommandInput<'projection.compute'>;
}
interface Umap {
  neighbours: number;
  minDist: number;
  metric: 'cosine' | 'euclidean';
  seed: number;
}
interface Work {
  title: string;
  done: number;
  total: number;
  stage: string;
}

/** Pages of projection.get into flat arrays (a page is at most 100k points on the wire). */
async function loadPoints(id: number): Promise<{ points: Points; entityIds: number[] }> {
  const points: Points = { keys: [], types: [], labels: [], classes: [], x: [], y: [], degrees: [] };
  const entityIds: number[] = [];
  for (let offset = 0; ; ) {
    const page = await client().call('projection.get', { id, offset, limit: 100_000 });
    points.keys.push(...page.keys);
    points.types.push(...page.types);
    points.labels.push(...page.labels);
    points.classes.push(...page.classes);
    points.x.push(...page.x);
    points.y.push(...page.y);
    points.degrees.push(...page.degrees);
    entityIds.push(...page.entity_ids);
    offset += page.keys.length;
    if (page.keys.length === 0 || offset >= page.total) break;
  }
  return { points, entityIds };
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, k) => id === b[k]);
}

export function Explorer() {
  const runs = useStore((s) => s.runs);
  const datasets = useStore((s) => s.datasets);
  const withEmbeddings = useMemo(() => (runs ?? []).filter((r) => r.hasEmbeddings), [runs]);
  const [run, setRun] = useState<number | null>(null);
  const [method, setMethod] = useState<'pca' | 'umap'>('pca');
  const [umap, setUmap] = useState<Umap>({ neighbours: 15, minDist: 0.1, metric: 'cosine', seed: 0 });
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [compared, setCompared] = useState<(AlignedPoints & { run: number }) | null>(null);
  const [clusters, setClusters] = useState<Clusters | null>(null);
  const [colourBy, setColourBy] = useState<ColourBy>('type');
  const [work, setWork] = useState<Work | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [query, setQuery] = useState('');
  const [focus, setFocus] = useState<number | null>(null);
  const [neighbours, setNeighbours] = useState<Neighbours | null>(null);
  const [history, setHistory] = useState(startHistory);
  const [tool, setTool] = useState<DragTool>('pan');
  const [sizeByDegree, setSizeByDegree] = useState(false);
  const view = history.present;
  const controller = useRef<AbortController | null>(null);
  const scatter = useRef<ScatterHandle>(null);
  const comparedScatter = useRef<ScatterHandle>(null);

  useEffect(() => {
    if (run === null && withEmbeddings.length > 0) setRun(withEmbeddings[0].id);
  }, [run, withEmbeddings]);

  async function compute(which: 'pca' | 'umap') {
    if (run === null) return;
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    const title =
      which === 'pca' ? 'PCA' : `UMAP (${umap.neighbours} neighbours, min distance ${umap.minDist})`;
    setError(null);
    setWork({ title: `Projecting with ${title}`, done: 0, total: 0, stage: 'starting' });
    try {
      const request =
        which === 'pca' ? { run, method: 'pca' as const } : { run, method: 'umap' as const, params: umap };
      const result = await client().call('projection.compute', request, {
        signal: abort.signal,
        onProgress: (p) => setWork({ title: `Projecting with ${title}`, ...p }),
      });
      const { points, entityIds } = await loadPoints(result.projection.id);
      // Another projection of the same run has the same rows: its selection, history and clusters
      // carry over (see where a cluster went from PCA to UMAP). Another run keeps only the filters.
      const sameRows = loaded?.request.run === run && sameIds(loaded.entityIds, entityIds);
      if (!sameRows) {
        setHistory((h) => startHistory({ ...h.present, selection: null }));
        setClusters(null);
        if (colourBy === 'cluster') setColourBy('type');
      }
      setLoaded({ points, entityIds, title, request });
      setCompared(null);
      setFocus(null);
      setNeighbours(null);
    } catch (e) {
      if ((e as { code?: string }).code !== 'cancelled') setError(e);
    } finally {
      if (controller.current === abort) {
        controller.current = null;
        setWork(null);
      }
    }
  }

  // a run chosen: its PCA (instant, and stored after the first time)
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new run starts a projection by itself
  useEffect(() => {
    if (run !== null) void compute('pca');
    return () => controller.current?.abort();
  }, [run]);

  // Another run of the same dataset, projected as this one was, drawn beside it in this
  // projection's rows: selections, filters and colours are shared, so they are linked by entity.
  async function compareWith(other: number | null) {
    setCompared(null);
    if (other === null || !loaded) return;
    const abort = new AbortController();
    controller.current = abort;
    const title = `Projecting run #${other} with ${loaded.title}`;
    setWork({ title, done: 0, total: 0, stage: 'starting' });
    try {
      const result = await client().call(
        'projection.compute',
        { ...loaded.request, run: other },
        { signal: abort.signal, onProgress: (p) => setWork({ title, ...p }) },
      );
      const theirs = await loadPoints(result.projection.id);
      setCompared({
        run: other,
        ...alignedPoints(loaded.points, loaded.entityIds, theirs.points, theirs.entityIds),
      });
    } catch (e) {
      if ((e as { code?: string }).code !== 'cancelled') setError(e);
    } finally {
      controller.current = null;
      setWork(null);
    }
  }
  const current = withEmbeddings.find((r) => r.id === run);
  const comparable = withEmbeddings.filter((r) => r.id !== run && r.dataset === current?.dataset);
  const kind = datasets?.find((d) => d.name === current?.dataset)?.kind;

  // an image or video dataset's points show their picture when hovered (a compared run's plot has
  // this projection's rows, so the same entity ids serve it)
  const picture = useMemo(() => {
    if (!loaded || (kind !== 'images' && kind !== 'videos')) return undefined;
    const ids = loaded.entityIds;
    return (index: number) => <Thumbnail entity={ids[index]} />;
  }, [loaded, kind]);

  async function colourByClusters() {
    if (run === null || !loaded) return;
    setColourBy('cluster');
    if (clusters) return;
    const abort = new AbortController();
    controller.current = abort;
    setWork({ title: 'Clustering with k-means', done: 0, total: 0, stage: 'starting' });
    try {
      const result = await client().call(
        'clustering.compute',
        { run, method: 'kmeans' },
        { signal: abort.signal, onProgress: (p) => setWork({ title: 'Clustering with k-means', ...p }) },
      );
      const id = result.clustering.id;
      const [got, described] = await Promise.all([
        client().call('clustering.get', { id }),
        client().call('clusters.describe', { id, top: 3 }),
      ]);
      const byEntity = new Map(got.entity_ids.map((id, k) => [id, got.clusters[k]]));
      // a word among every cluster's top terms tells none of them apart
      const clustersWith = new Map<string, number>();
      for (const c of described.clusters)
        for (const { term } of c.terms) clustersWith.set(term, (clustersWith.get(term) ?? 0) + 1);
      const about = new Map(
        described.clusters.map((c) => {
          const terms = c.terms
            .map((t) => t.term)
            .filter(
              (term) => described.clusters.length < 2 || clustersWith.get(term) !== described.clusters.length,
            );
          return [c.cluster, terms.length > 0 ? terms.join(', ') : (c.classes[0]?.value ?? '')];
        }),
      );
      setClusters({
        of: loaded.entityIds.map((id) => {
          const c = byEntity.get(id);
          return c === undefined || c < 0 ? null : c;
        }),
        about,
      });
    } catch (e) {
      setColourBy('type');
      if ((e as { code?: string }).code !== 'cancelled') setError(e);
    } finally {
      controller.current = null;
      setWork(null);
    }
  }

  const colourings = useMemo(
    () => ({
      type: loaded ? colouringOf(loaded.points.types) : null,
      class: loaded ? colouringOf(loaded.points.classes) : null,
      cluster: clusters ? colouringOf(clusters.of.map((c) => (c === null ? null : `cluster ${c}`))) : null,
    }),
    [loaded, clusters],
  );
  const colouring = colourings[colourBy] ?? colourings.type;

  const captions = useMemo(
    () => new Map([...(clusters?.about ?? [])].map(([c, about]) => [`cluster ${c}`, about])),
    [clusters],
  );
  const placeLabelsOf = useCallback(
    (points: Points | undefined): PlaceLabel[] => {
      const byCluster = colourings.cluster;
      if (colourBy !== 'cluster' || !byCluster || !points) return [];
      return centresOf(byCluster, points.x, points.y).map(({ category, x, y }) => {
        const { name } = byCluster.categories[category];
        return { x, y, text: captions.get(name) || name };
      });
    },
    [colourBy, colourings, captions],
  );
  const placeLabels = useMemo(() => placeLabelsOf(loaded?.points), [placeLabelsOf, loaded]);
  const comparedLabels = useMemo(() => placeLabelsOf(compared?.points), [placeLabelsOf, compared]);

  // a dataset without relations (images, videos) has nothing to size by
  const hasDegrees = useMemo(() => (loaded ? loaded.points.degrees.some((d) => d > 0) : false), [loaded]);
  const sizes = useMemo(
    () => (loaded && sizeByDegree && hasDegrees ? sizesOf(loaded.points.degrees) : null),
    [loaded, sizeByDegree, hasDegrees],
  );

  const hidden = useMemo(
    () => (loaded ? filteredOut(colourings, view.excluded, loaded.points.keys.length) : null),
    [colourings, view.excluded, loaded],
  );
  const selection = view.selection;
  const selectedSet = useMemo(() => (selection ? new Set(selection) : null), [selection]);

  // a clicked point's neighbours are shown over the selection until the stage is clicked
  const highlighted = useMemo(() => {
    if (focus === null || !neighbours || !loaded) return selectedSet;
    const rows = new Map(loaded.entityIds.map((id, k) => [id, k]));
    const set = new Set<number>([focus]);
    for (const n of neighbours.neighbours) {
      const at = rows.get(n.entity_id);
      if (at !== undefined) set.add(at);
    }
    return set;
  }, [selectedSet, focus, neighbours, loaded]);

  const apply = useCallback((producer: ViewProducer) => setHistory(changed(producer)), []);

  // Ctrl+Z / Ctrl+Shift+Z (⌘ on macOS) walk the history; Escape clears the selection. Keys typed in
  // a text field keep their usual meaning there; a checkbox or list just used does not.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest('input:not([type="checkbox"]), textarea')) return;
      const key = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && (key === 'z' || key === 'y')) {
        event.preventDefault();
        setHistory(key === 'y' || event.shiftKey ? redone : undone);
      } else if (key === 'escape') apply(selected(null));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [apply]);

  const matches = useMemo(
    () =>
      loaded && query.trim() !== ''
        ? searchNames(namesOf(loaded.points.keys, loaded.points.labels), query)
        : [],
    [query, loaded],
  );

  async function select(index: number | null) {
    setFocus(index);
    setNeighbours(null);
    if (index === null || run === null || !loaded) return;
    try {
      setNeighbours(
        await client().call('neighbours.query', {
          run,
          entity: loaded.points.keys[index],
          entityType: loaded.points.types[index],
          k: 10,
        }),
      );
    } catch (e) {
      setError(e);
    }
  }

  function goTo(index: number) {
    setQuery('');
    scatter.current?.flyTo(index);
    void select(index);
  }

  async function exportPng() {
    const plots = [scatter.current, comparedScatter.current].filter((p) => p !== null);
    download(
      await plotsPng(plots),
      `constellation-run-${run}-${loaded?.title.split(' ')[0].toLowerCase()}.png`,
    );
  }

  function exportSelection() {
    if (!loaded || !selection) return;
    const csv = selectionCsv(selection, loaded.points, clusters?.of ?? null);
    download(new Blob([csv], { type: 'text/csv' }), `constellation-run-${run}-selection.csv`);
  }

  const shared = {
    highlighted,
    focus,
    filteredOut: hidden,
    hideFiltered: view.hideFiltered,
    sizes,
    tool,
    picture,
    onClickPoint: (i: number | null) => void select(i),
    onSelect: (indices: number[]) => {
      setFocus(null);
      setNeighbours(null);
      // what the filters took out is not selected, even where it is still drawn grey
      apply(selected(Int32Array.from(hidden ? indices.filter((i) => !hidden[i]) : indices)));
    },
  };

  if (runs !== null && withEmbeddings.length === 0) {
    return (
      <section>
        <h1>Explore</h1>
        <div className="empty">
          No run has embeddings yet. Train metapath2vec or BERT4Rec, then come back to explore its vectors.
        </div>
      </section>
    );
  }

  return (
    <section className="explorer">
      <div className="explorer-controls">
        <label className="inline-label">
          Run
          <select
            aria-label="Run"
            value={run ?? ''}
            onChange={(e) => setRun(Number(e.target.value))}
            disabled={work !== null}
          >
            {withEmbeddings.map((r) => (
              <option key={r.id} value={r.id}>
                {`#${r.id} ${r.model} on ${r.dataset}`}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-label">
          Projection
          <select
            aria-label="Projection"
            value={method}
            onChange={(e) => setMethod(e.target.value as 'pca' | 'umap')}
          >
            <option value="pca">PCA</option>
            <option value="umap">UMAP</option>
          </select>
        </label>
        {method === 'umap' && (
          <>
            <NumberField
              label="neighbours"
              value={umap.neighbours}
              min={2}
              max={200}
              step={1}
              onChange={(v) => setUmap({ ...umap, neighbours: v })}
            />
            <NumberField
              label="min distance"
              value={umap.minDist}
              min={0}
              max={1}
              step={0.05}
              onChange={(v) => setUmap({ ...umap, minDist: v })}
            />
            <label className="inline-label">
              metric
              <select
                aria-label="metric"
                value={umap.metric}
                onChange={(e) => setUmap({ ...umap, metric: e.target.value as Umap['metric'] })}
              >
                <option value="cosine">cosine</option>
                <option value="euclidean">euclidean</option>
              </select>
            </label>
            <NumberField
              label="seed"
              value={umap.seed}
              min={0}
              max={2 ** 31}
              step={1}
              onChange={(v) => setUmap({ ...umap, seed: v })}
            />
          </>
        )}
        <button
          type="button"
          className="primary"
          disabled={work !== null || run === null}
          onClick={() => compute(method)}
        >
          Project
        </button>
        <label className="inline-label">
          Colour by
          <select
            aria-label="Colour by"
            value={colourBy}
            disabled={!loaded}
            onChange={(e) => {
              const by = e.target.value as ColourBy;
              if (by === 'cluster') void colourByClusters();
              else setColourBy(by);
            }}
          >
            <option value="type">entity type</option>
            <option value="class">class label</option>
            <option value="cluster">cluster (k-means)</option>
          </select>
        </label>
        <div className="search">
          <input
            type="search"
            aria-label="Search by name"
            placeholder="Search by name…"
            value={query}
            disabled={!loaded}
            // the name index is made when the box is entered, before the first keystroke needs it
            onFocus={() => loaded && namesOf(loaded.points.keys, loaded.points.labels)}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && matches.length > 0) goTo(matches[0]);
            }}
          />
          {matches.length > 0 && loaded && (
            <ul className="autocomplete" aria-label="Matches">
              {matches.map((i) => (
                <li key={i}>
                  <button type="button" onMouseDown={() => goTo(i)}>
                    {loaded.points.labels[i] ?? loaded.points.keys[i]}{' '}
                    <span className="muted small">
                      {loaded.points.types[i]} {loaded.points.keys[i]}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        {comparable.length > 0 && (
          <label className="inline-label">
            Compare with
            <select
              aria-label="Compare with"
              value={compared?.run ?? ''}
              disabled={work !== null || !loaded}
              onChange={(e) => void compareWith(e.target.value === '' ? null : Number(e.target.value))}
            >
              <option value="">no other run</option>
              {comparable.map((r) => (
                <option key={r.id} value={r.id}>
                  {`#${r.id} ${r.model}`}
                </option>
              ))}
            </select>
          </label>
        )}
        {hasDegrees && (
          <label className="inline-label">
            Size by
            <select
              aria-label="Size by"
              value={sizeByDegree ? 'degree' : 'none'}
              onChange={(e) => setSizeByDegree(e.target.value === 'degree')}
            >
              <option value="none">nothing</option>
              <option value="degree">degree / popularity</option>
            </select>
          </label>
        )}
        <fieldset className="segmented" aria-label="Drag to">
          {(['pan', 'box', 'lasso'] as const).map((t) => (
            <button key={t} type="button" aria-pressed={tool === t} onClick={() => setTool(t)}>
              {t === 'pan' ? 'Pan' : t === 'box' ? 'Box' : 'Lasso'}
            </button>
          ))}
        </fieldset>
        <button
          type="button"
          disabled={history.past.length === 0}
          title="Undo selection or filter (Ctrl+Z)"
          onClick={() => setHistory(undone)}
        >
          Undo
        </button>
        <button
          type="button"
          disabled={history.future.length === 0}
          title="Redo (Ctrl+Shift+Z)"
          onClick={() => setHistory(redone)}
        >
          Redo
        </button>
        <button type="button" disabled={!loaded} onClick={exportPng}>
          Export PNG
        </button>
      </div>
      {work && (
        <div className="job job-running" data-testid="projection-progress">
          <div className="job-head">
            <strong>{work.title}</strong>
            <span className="job-status">{work.stage}</span>
          </div>
          <div
            className={`bar ${work.total > 0 ? '' : 'bar-unknown'}`}
            role="progressbar"
            aria-valuenow={work.total > 0 ? Math.round((100 * work.done) / work.total) : undefined}
          >
            <div
              className="bar-fill"
              style={work.total > 0 ? { width: `${(100 * work.done) / work.total}%` } : undefined}
            />
          </div>
          <div className="job-figures">
            <span>{work.total > 0 ? `${work.done} / ${work.total}` : ''}</span>
            <button type="button" className="danger" onClick={() => controller.current?.abort()}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {error ? <ErrorMessage error={error} /> : null}
      <div className="explorer-body">
        {loaded && colouring ? (
          <div className="scatters">
            <Scatter
              ref={scatter}
              points={loaded.points}
              placeLabels={placeLabels}
              caption={compared ? `#${run} ${current?.model ?? ''}` : undefined}
              {...shared}
              colouring={colouring}
            />
            {compared && (
              <Scatter
                ref={comparedScatter}
                testId="scatter-compared"
                points={compared.points}
                absent={compared.absent}
                placeLabels={comparedLabels}
                caption={`#${compared.run} ${withEmbeddings.find((r) => r.id === compared.run)?.model ?? ''}`}
                {...shared}
                colouring={colouring}
              />
            )}
          </div>
        ) : (
          <div className="scatter empty">{work ? 'Projecting…' : 'Choose a run.'}</div>
        )}
        <aside className="explorer-side">
          {loaded && (
            <p className="muted small">
              {loaded.points.keys.length.toLocaleString('en')} points · {loaded.title}
              <br />
              Drag pans · shift-drag: box · alt-drag or Lasso: lasso · Esc clears · Ctrl+Z undo, Ctrl+Shift+Z
              redo · click a legend entry to filter it out
            </p>
          )}
          {colouring && (
            <Legend
              title={`Colour: ${colourBy}`}
              categories={colouring.categories}
              testId="legend"
              captions={colourBy === 'cluster' ? captions : undefined}
              excluded={view.excluded[colourBy]}
              onToggle={(name) => apply(toggledCategory(colourBy, name))}
            />
          )}
          {colourBy !== 'type' && colourings.type && (
            <Legend
              title="Types"
              categories={colourings.type.categories}
              testId="type-filter"
              swatches={false}
              excluded={view.excluded.type}
              onToggle={(name) => apply(toggledCategory('type', name))}
            />
          )}
          {loaded && (
            <label className="inline-label small">
              <input
                type="checkbox"
                checked={view.hideFiltered}
                onChange={(e) => apply(filteredShown(e.target.checked))}
              />
              Hide filtered-out points
            </label>
          )}
          {neighbours && focus !== null && loaded && (
            <div className="panel" data-testid="neighbours">
              <h4>Nearest to {neighbours.entity.label ?? neighbours.entity.key}</h4>
              <ol className="neighbour-list">
                {neighbours.neighbours.map((n) => (
                  <li key={n.entity_id}>
                    {n.label ?? n.key} <span className="muted small">{n.key}</span>{' '}
                    <span className="num small">{n.similarity.toFixed(3)}</span>
                  </li>
                ))}
              </ol>
            </div>
          )}
          {current?.model === 'vit' && focus !== null && loaded && run !== null && (
            <div className="panel">
              <h4>Where run #{run} looks</h4>
              <AttentionMap run={run} entity={loaded.entityIds[focus]} />
            </div>
          )}
          {selection && colouring && (
            <div className="panel" data-testid="selection">
              <Legend
                title={`Selected: ${selection.length.toLocaleString('en')} points`}
                categories={countsOf(selection, colouring)}
                testId="selection-counts"
                captions={colourBy === 'cluster' ? captions : undefined}
              />
              <button type="button" onClick={exportSelection}>
                Export CSV
              </button>{' '}
              <button type="button" onClick={() => apply(selected(null))}>
                Clear selection
              </button>
            </div>
          )}
        </aside>
      </div>
    </section>
  );
}

function download(blob: Blob, name: string) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** Categories with their colours and counts; with onToggle, each entry is a checkbox that filters it. */
function Legend(props: {
  title: string;
  categories: Category[];
  testId: string;
  captions?: ReadonlyMap<string, string>;
  excluded?: readonly string[];
  onToggle?(name: string): void;
  /** false where the colours are not the plot's (a filter list beside another colouring) */
  swatches?: boolean;
}) {
  const { onToggle } = props;
  return (
    <div className="legend" data-testid={props.testId}>
      <h4>{props.title}</h4>
      <ul>
        {props.categories.map((c) => {
          const shown = !props.excluded?.includes(c.name);
          const caption = props.captions?.get(c.name);
          const entry = (
            <>
              {props.swatches !== false && <span className="swatch" style={{ background: c.colour }} />}
              <span>
                {c.name}
                {caption && <span className="caption muted">{caption}</span>}
              </span>
            </>
          );
          return (
            <li key={c.name} className={shown ? undefined : 'filtered-out'}>
              {onToggle ? (
                <label>
                  <input type="checkbox" checked={shown} onChange={() => onToggle(c.name)} />
                  {entry}
                </label>
              ) : (
                entry
              )}{' '}
              <span className="num muted small">{c.count.toLocaleString('en')}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function NumberField(props: {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange(value: number): void;
}) {
  return (
    <label className="inline-label">
      {props.label}
      <input
        type="number"
        aria-label={props.label}
        className="narrow"
        value={props.value}
        min={props.min}
        max={props.max}
        step={props.step}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (e.target.value !== '' && Number.isFinite(v))
            props.onChange(Math.min(props.max, Math.max(props.min, v)));
        }}
      />
    </label>
  );
}
