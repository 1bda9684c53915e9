// Entry of a walk thread. Workers do not inherit the parent's module hooks (see
// src/jobs/worker-entry.mjs), so the thread registers tsx before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./walk-worker.ts');
