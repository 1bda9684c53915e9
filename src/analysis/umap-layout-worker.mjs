// Entry of a UMAP layout thread. Workers do not inherit the parent's module hooks (see
// src/jobs/worker-entry.mjs), so the thread registers tsx before loading its TypeScript side.
import { register } from 'tsx/esm/api';

register();
await import('./umap-layout-thread.ts');
