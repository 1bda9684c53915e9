import { useEffect } from 'react';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Explorer } from '../explorer/Explorer.tsx';
import { NetworkView } from '../network/NetworkView.tsx';
import { Recommendations } from '../recommendation/Recommendations.tsx';
import { navigate } from '../state/producers.ts';
import { update, useStore } from '../state/store.ts';
import type { View } from '../state/types.ts';
import { Home } from './Home.tsx';
import { ImportWizard } from './ImportWizard.tsx';
import { Runs } from './Runs.tsx';
import { Training } from './Training.tsx';

const views: { id: View; label: string; hint: string }[] = [
  { id: 'home', label: 'Home', hint: 'Workspace and datasets' },
  { id: 'import', label: 'Import', hint: 'Add a dataset' },
  { id: 'train', label: 'Train', hint: 'Train a model' },
  { id: 'runs', label: 'Runs', hint: 'History and comparison' },
  { id: 'explore', label: 'Explore', hint: 'Embedding explorer' },
  { id: 'network', label: 'Network', hint: 'Ego networks and samples of a network dataset' },
  { id: 'recommend', label: 'Recommend', hint: "A user's history and a run's next items" },
];

const viewOfHash = (hash: string): View => views.find((v) => `#/${v.id}` === hash)?.id ?? 'home';

export function App() {
  const view = useStore((s) => s.view);
  const connection = useStore((s) => s.connection);
  const workspace = useStore((s) => s.workspace);
  const error = useStore((s) => s.error);
  const jobs = useStore((s) => s.jobs);
  const running = jobs.filter((j) => j.status === 'running').length;

  // the address follows the view, so a reload or a bookmark opens the same view
  useEffect(() => {
    const follow = () => update(navigate(viewOfHash(window.location.hash)));
    follow();
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  useEffect(() => {
    if (window.location.hash !== `#/${view}`) window.history.replaceState(null, '', `#/${view}${''}`);
  }, [view]);

  return (
    <div className="shell">
      <nav className="sidebar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ✦
          </span>{' '}
          Constellation
        </div>
        <div className="workspace-name" title={workspace?.path}>
          {workspace?.name ?? '…'}
        </div>
        {views.map((v) => (
          <a key={v.id} href={`#/${v.id}`} className={`nav ${view === v.id ? 'active' : ''}`} title={v.hint}>
            {v.label}
            {v.id === 'train' && running > 0 && <span className="badge">{running}</span>}
          </a>
        ))}
        <div className={`connection connection-${connection}`}>
          {connection === 'open' ? 'connected' : connection === 'connecting' ? 'connecting…' : 'disconnected'}
        </div>
      </nav>
      <main className="content">
        {connection !== 'open' && (
          <div className="banner">
            {connection === 'connecting'
              ? 'Connecting to Constellation…'
              : 'The connection to Constellation was lost.'}
          </div>
        )}
        {error ? <ErrorMessage error={error} /> : null}
        {view === 'home' && <Home />}
        {view === 'import' && <ImportWizard />}
        {view === 'train' && <Training />}
        {view === 'runs' && <Runs />}
        {view === 'explore' && <Explorer />}
        {view === 'network' && <NetworkView />}
        {view === 'recommend' && <Recommendations />}
      </main>
    </div>
  );
}
