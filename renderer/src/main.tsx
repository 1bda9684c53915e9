import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { refresh, setClient } from './actions.ts';
import { connect, electronBridge } from './api.ts';
import { navigate, setConnection } from './state/producers.ts';
import { update } from './state/store.ts';
import { App } from './views/App.tsx';
import './styles.css';

// The page's Content-Security-Policy forbids eval; zod then validates without compiling.
z.config({ jitless: true });

let opened = false;
setClient(
  connect((status) => {
    update(setConnection(status));
    // (re)load the lists whenever the connection (re)opens
    if (status === 'open') {
      opened = true;
      void refresh();
    }
  }),
);
if (!opened) void refresh();

// The app's menu: another workspace starts the page afresh on it; File › Import… opens the wizard.
electronBridge()?.onShellEvent((event) => {
  if (event.type === 'workspace-opened') window.location.reload();
  else update(navigate('import'));
});

createRoot(document.getElementById('root')!).render(<App />);
