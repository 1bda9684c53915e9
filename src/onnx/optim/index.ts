// In-graph optimizers, learning-rate schedules and gradient clipping.
export * from './adam.ts';
export * from './clip.ts';
export * from './lars.ts';
export * from './optimizer.ts';
export * as schedule from './schedule.ts';
export * from './sgd.ts';
