// The shared Transformer encoder: BERT4Rec, ViT, ViViT and TimeSformer build their models on it.
export * from './encoder.ts';
export * from './init.ts';
export * from './weights.ts';
