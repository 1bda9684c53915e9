// The Transformer encoder's parameters: their names (by scope, `encoder/layer0/attn/wqkv`), shapes
// and initialisation. Kept apart from the forward pass so tests and pretrained-weight import can
// supply the same structure from graph inputs or other values.
import type { Graph, Tensor } from '../../onnx/graph.ts';
import { type Initializer, initialValues } from './init.ts';

export type NormPlacement =
  /** LN(x + Dropout(Sublayer(x))): BERT, BERT4Rec */
  | 'post'
  /** x + Dropout(Sublayer(LN(x))), and a final LN after the last layer: ViT */
  | 'pre';

/** How the reference implementations initialise: BERT's truncated normal, or ViT's Xavier dense layers. */
export type InitScheme = { kind: 'bert'; std: number } | { kind: 'vit' };

export interface EncoderConfig {
  layers: number;
  /** model width d */
  hidden: number;
  heads: number;
  /** width of the position-wise feed-forward layer (4d in BERT and ViT) */
  ffn: number;
  norm: NormPlacement;
  /** GELU as the references compute it: the tanh approximation (BERT, BERT4Rec, ViT in JAX) or exact */
  gelu: 'tanh' | 'none';
  layerNormEps: number;
  init: InitScheme;
}

export interface LayerNormWeights {
  gamma: Tensor;
  beta: Tensor;
}

export interface LayerWeights {
  /** q, k and v projections fused into one [d, 3d] matrix (columns q | k | v, heads contiguous in each) */
  wqkv: Tensor;
  bqkv: Tensor;
  wo: Tensor;
  bo: Tensor;
  attnNorm: LayerNormWeights;
  w1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
  ffnNorm: LayerNormWeights;
}

export interface EncoderWeights {
  layers: LayerWeights[];
  /** the pre-norm encoder's last LayerNorm (absent for post-norm) */
  finalNorm?: LayerNormWeights;
}

/** Something that makes a named tensor of a shape with initial values: a graph parameter, or a test input. */
export type TensorSource = (name: string, shape: number[], values: Float32Array | Float64Array) => Tensor;

/** Graph parameters (trainable), named as given. */
export function parametersOf(g: Graph): TensorSource {
  return (name, shape, values) => g.parameter(name, shape, { values });
}

/**
 * Declares the encoder's parameters under `prefix` (`encoder/layer0/attn/wqkv`, ...), initialised
 * from `seed` as the config's scheme says. Biases and LayerNorm shifts start at 0, scales at 1.
 */
export function encoderWeights(
  source: TensorSource,
  config: EncoderConfig,
  seed: number,
  { prefix = 'encoder', dtype = 'float32' }: { prefix?: string; dtype?: 'float32' | 'float64' } = {},
): EncoderWeights {
  const { hidden: d, ffn } = config;
  const make = (name: string, shape: number[], init: Initializer) =>
    source(name, shape, initialValues(seed, name, shape, init, dtype));
  const matrix = (name: string, fanIn: number, fanOut: number, columns = fanOut): Tensor =>
    make(
      name,
      [fanIn, columns],
      config.init.kind === 'bert'
        ? { kind: 'truncated-normal', std: config.init.std }
        : // each of q, k, v is its own d x d layer in ViT, so fans are per block
          { kind: 'xavier-uniform', fanIn, fanOut },
    );
  // ViT's MLP biases start at normal(1e-6) (the reference's bias_init), all others at zero.
  const mlpBias = (name: string, n: number): Tensor =>
    make(
      name,
      [n],
      config.init.kind === 'vit' ? { kind: 'normal', std: 1e-6 } : { kind: 'constant', value: 0 },
    );
  const zeros = (name: string, n: number) => make(name, [n], { kind: 'constant', value: 0 });
  const norm = (name: string): LayerNormWeights => ({
    gamma: make(`${name}/gamma`, [d], { kind: 'constant', value: 1 }),
    beta: zeros(`${name}/beta`, d),
  });
  const layers = Array.from({ length: config.layers }, (_, i): LayerWeights => {
    const at = `${prefix}/layer${i}`;
    return {
      wqkv: matrix(`${at}/attn/wqkv`, d, d, 3 * d),
      bqkv: zeros(`${at}/attn/bqkv`, 3 * d),
      wo: matrix(`${at}/attn/wo`, d, d),
      bo: zeros(`${at}/attn/bo`, d),
      attnNorm: norm(`${at}/attn_norm`),
      w1: matrix(`${at}/ffn/w1`, d, ffn),
      b1: mlpBias(`${at}/ffn/b1`, ffn),
      w2: matrix(`${at}/ffn/w2`, ffn, d),
      b2: mlpBias(`${at}/ffn/b2`, d),
      ffnNorm: norm(`${at}/ffn_norm`),
    };
  });
  return config.norm === 'pre' ? { layers, finalNorm: norm(`${prefix}/norm`) } : { layers };
}
