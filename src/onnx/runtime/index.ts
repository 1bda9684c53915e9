// The training runtime: devices, trainers (in-thread or in a worker), checkpoints, profiles, export.
export * from './checkpoint.ts';
export * from './devices.ts';
export * from './export.ts';
export * from './profile.ts';
export * from './trainer.ts';
export * from './trainer-thread.ts';
