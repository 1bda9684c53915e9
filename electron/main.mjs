// Electron's entry (package.json "main"). The main process runs the same TypeScript sources as the
// CLI and serve mode, through tsx's loader, so there is no separate build of the core.
import { register } from 'tsx/esm/api';

register();
await import('./app.ts');
