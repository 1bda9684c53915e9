// Entry of every job thread. Workers do not inherit the parent's module hooks, and
// `execArgv: ['--import', 'tsx']` neither resolves from an arbitrary working directory nor
// takes effect for the worker's own entry on Node 20, so the thread registers tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./job-worker.ts');
