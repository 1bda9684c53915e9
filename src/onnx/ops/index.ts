// The op library. Model code imports ops from here: `import * as op from '../onnx/ops/index.ts'`.

export * from './attention.ts';
export * from './conv.ts';
export * from './elementwise.ts';
export * from './gather.ts';
export * from './linalg.ts';
export * from './nn.ts';
export * from './norm.ts';
export * from './reduce.ts';
export * from './shape.ts';
