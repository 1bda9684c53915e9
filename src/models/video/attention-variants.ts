// The video encoders that factorise attention over the token grid [batch, T, S, d] (S = patches
// per frame), as graph functions in the calling style of the shared Transformer encoder:
// - divided space-time attention (TimeSformer, Bertasius et al. 2021; ViViT's Model 3, Arnab
//   et al. 2021): per block a temporal attention over one spatial position across frames and a
//   spatial attention within each frame, each pre-normed with its own residual, then the MLP;
// - factorised dot-product attention (ViViT's Model 4): one attention whose first half of heads
//   looks within the frame and second half along time, concatenated and projected;
// - multiscale pooling attention (MViT, Fan et al. 2021): queries, keys and values pooled on the
//   T x H x W grid, the skip connection pooled like the queries, channels growing across stages.
// All of them reuse the encoder's fused q|k|v self-attention, residual and MLP, so spatial
// weights keep the names an image ViT run stores (`encoder/layer0/attn/wqkv`, ...).
import type { Tensor } from '../../onnx/graph.ts';
import { ShapeError } from '../../onnx/graph.ts';
import * as op from '../../onnx/ops/index.ts';
import {
  type EncoderConfig,
  type EncoderDropout,
  type EncoderWeights,
  encoderWeights,
  feedForward,
  type LayerNormWeights,
  type LayerWeights,
  residual,
  selfAttention,
  type TensorSource,
} from '../transformer/index.ts';
import { type Initializer, initialValues } from '../transformer/init.ts';

/** The token grid of a clip: frames (or tubelet slots) x rows x columns of patches. */
export interface TokenGrid {
  frames: number;
  height: number;
  width: number;
}

const patchesPerFrame = (grid: TokenGrid) => grid.height * grid.width;

export interface VideoEncoderResult {
  /** [B, tokens, d] in the input's layout ([CLS] first when the input has one) */
  hidden: Tensor;
}

type AttentionWeights = Pick<LayerWeights, 'wqkv' | 'bqkv' | 'wo' | 'bo'>;

// ---------------------------------------------------------------------------------------------
// Model 3: divided space-time attention

/** Which attention comes first in a block: TimeSformer's order, or ViViT Model 3's. */
export type DividedOrder = 'time-space' | 'space-time';

export interface DividedLayerWeights extends LayerWeights {
  /** the temporal attention's own projections and pre-norm (`.../temporal_attn/...`) */
  temporal: AttentionWeights & { norm: LayerNormWeights };
}

export interface DividedEncoderWeights {
  layers: DividedLayerWeights[];
  finalNorm?: LayerNormWeights;
}

/**
 * The encoder's weights (spatial attention, MLP and norms named as the image encoder's, so an
 * image ViT run initialises them) plus a temporal attention per layer. As TimeSformer zeroes its
 * temporal_fc after the first block, the temporal output projection of every later layer starts
 * at zero: those blocks begin as the image model applied frame by frame.
 */
export function dividedEncoderWeights(
  source: TensorSource,
  config: EncoderConfig,
  seed: number,
  { prefix = 'encoder', dtype = 'float32' }: { prefix?: string; dtype?: 'float32' | 'float64' } = {},
): DividedEncoderWeights {
  const base = encoderWeights(source, config, seed, { prefix, dtype });
  const d = config.hidden;
  const make = (name: string, shape: number[], init: Initializer) =>
    source(name, shape, initialValues(seed, name, shape, init, dtype));
  // each of q, k, v is its own d x d layer, as in encoderWeights
  const dense: Initializer =
    config.init.kind === 'bert'
      ? { kind: 'truncated-normal', std: config.init.std }
      : { kind: 'xavier-uniform', fanIn: d, fanOut: d };
  const zero: Initializer = { kind: 'constant', value: 0 };
  return {
    finalNorm: base.finalNorm,
    layers: base.layers.map((layer, i) => {
      const at = `${prefix}/layer${i}/temporal_attn`;
      return {
        ...layer,
        temporal: {
          wqkv: make(`${at}/wqkv`, [d, 3 * d], dense),
          bqkv: make(`${at}/bqkv`, [3 * d], zero),
          wo: make(`${at}/wo`, [d, d], i === 0 ? dense : zero),
          bo: make(`${at}/bo`, [d], zero),
          norm: {
            gamma: make(`${prefix}/layer${i}/temporal_attn_norm/gamma`, [d], { kind: 'constant', value: 1 }),
            beta: make(`${prefix}/layer${i}/temporal_attn_norm/beta`, [d], zero),
          },
        },
      };
    }),
  };
}

export interface DividedEncoderOptions {
  grid: TokenGrid;
  /** token 0 is a [CLS] token, handled as TimeSformer does (see `dividedSpaceTimeEncoder`) */
  cls?: boolean;
  /** default 'time-space' (TimeSformer) */
  order?: DividedOrder;
  dropout?: EncoderDropout;
}

/**
 * Divided space-time attention over x [B, (1 +) T*S, d], tokens frame-major ([B, T, S, d]).
 * With a [CLS] token (TimeSformer): the temporal attention leaves it out; the spatial attention
 * gives every frame a copy of it as an extra token, and its update is the mean over frames of
 * the copies' outputs; the MLP treats it like any token.
 */
export function dividedSpaceTimeEncoder(
  x: Tensor,
  weights: DividedEncoderWeights,
  config: EncoderConfig,
  { grid, cls = false, order = 'time-space', dropout }: DividedEncoderOptions,
): VideoEncoderResult {
  const g = x.graph;
  const [batch, length, d] = x.shape;
  const frames = grid.frames;
  const patches = patchesPerFrame(grid);
  const extra = cls ? 1 : 0;
  checkInput('DividedSpaceTimeEncoder', x, config, frames * patches + extra);
  if (weights.layers.length !== config.layers) {
    throw new Error(
      `dividedSpaceTimeEncoder: ${weights.layers.length} layers of weights for ${config.layers}`,
    );
  }
  const steps = order === 'time-space' ? (['time', 'space'] as const) : (['space', 'time'] as const);
  return g.scope('encoder', () => {
    let h = op.reshape(x, [batch * length, d]);
    weights.layers.forEach((w, i) => {
      g.scope(`layer${i}`, () => {
        for (const step of steps) {
          h =
            step === 'time'
              ? temporalStep(h, w.temporal, config, { batch, frames, patches, extra }, dropout)
              : residual(
                  g,
                  'attn',
                  h,
                  (normed) => spatialAttention(normed, w, config, { batch, frames, patches, extra }, dropout),
                  w.attnNorm,
                  config,
                  dropout,
                );
        }
        h = residual(g, 'ffn', h, (input) => feedForward(input, w, config), w.ffnNorm, config, dropout);
      });
    });
    if (weights.finalNorm) {
      const { gamma, beta } = weights.finalNorm;
      h = g.scope('norm', () => op.layerNorm(h, gamma, beta, config.layerNormEps));
    }
    return { hidden: op.reshape(h, [batch, length, d]) };
  });
}

interface Layout {
  batch: number;
  frames: number;
  patches: number;
  /** 1 with a leading [CLS] token, else 0 */
  extra: number;
}

/** Rows [B*(extra + T*S), d]: attention over frames at each spatial position, [CLS] untouched. */
function temporalStep(
  h: Tensor,
  w: DividedLayerWeights['temporal'],
  config: EncoderConfig,
  { batch, frames, patches, extra }: Layout,
  dropout: EncoderDropout | undefined,
): Tensor {
  const g = h.graph;
  const d = config.hidden;
  const tokens = frames * patches;
  const attend = (rows: Tensor) => {
    // (b, t, s) rows to (b, s, t): each spatial position's frames become one sequence
    const bySite = op.transpose(op.reshape(rows, [batch, frames, patches, d]), [0, 2, 1, 3]);
    const out = selfAttention(
      op.reshape(bySite, [batch * patches * frames, d]),
      w,
      config,
      { batch: batch * patches, length: frames },
      undefined,
      dropout,
    ).output;
    return op.reshape(op.transpose(op.reshape(out, [batch, patches, frames, d]), [0, 2, 1, 3]), [
      batch * tokens,
      d,
    ]);
  };
  if (!extra) return residual(g, 'temporal_attn', h, attend, w.norm, config, dropout);
  const [head, rest] = op.split(op.reshape(h, [batch, extra + tokens, d]), 1, [extra, tokens]);
  const updated = residual(
    g,
    'temporal_attn',
    op.reshape(rest, [batch * tokens, d]),
    attend,
    w.norm,
    config,
    dropout,
  );
  return op.reshape(op.concat([head, op.reshape(updated, [batch, tokens, d])], 1), [
    batch * (extra + tokens),
    d,
  ]);
}

/** Normed rows [B*(extra + T*S), d] to the spatial attention's output, as TimeSformer routes [CLS]. */
function spatialAttention(
  normed: Tensor,
  w: AttentionWeights,
  config: EncoderConfig,
  { batch, frames, patches, extra }: Layout,
  dropout: EncoderDropout | undefined,
): Tensor {
  const d = config.hidden;
  const tokens = frames * patches;
  if (!extra) {
    return selfAttention(normed, w, config, { batch: batch * frames, length: patches }, undefined, dropout)
      .output;
  }
  const [head, rest] = op.split(op.reshape(normed, [batch, extra + tokens, d]), 1, [extra, tokens]);
  // a copy of [CLS] in front of every frame's patches
  const perFrame = op.concat(
    [
      op.expand(op.reshape(head, [batch, 1, 1, d]), [batch, frames, 1, d]),
      op.reshape(rest, [batch, frames, patches, d]),
    ],
    2,
  );
  const out = selfAttention(
    op.reshape(perFrame, [batch * frames * (1 + patches), d]),
    w,
    config,
    { batch: batch * frames, length: 1 + patches },
    undefined,
    dropout,
  ).output;
  const [clsOut, restOut] = op.split(op.reshape(out, [batch, frames, 1 + patches, d]), 2, [1, patches]);
  const clsMean = op.reshape(op.reduceMean(clsOut, [1]), [batch, 1, d]);
  return op.reshape(op.concat([clsMean, op.reshape(restOut, [batch, tokens, d])], 1), [
    batch * (extra + tokens),
    d,
  ]);
}

// ---------------------------------------------------------------------------------------------
// Model 4: factorised dot-product attention

/**
 * ViViT Model 4 over x [B, T*S, d] (no [CLS]: the tokens are a grid, pool them for a clip):
 * the encoder's layer structure and weights, with each layer's attention split by heads, the
 * first half within frames and the second half along time.
 */
export function factorisedDotProductEncoder(
  x: Tensor,
  weights: EncoderWeights,
  config: EncoderConfig,
  { grid, dropout }: { grid: TokenGrid; dropout?: EncoderDropout },
): VideoEncoderResult {
  const g = x.graph;
  const [batch, length, d] = x.shape;
  checkInput('FactorisedDotProductEncoder', x, config, grid.frames * patchesPerFrame(grid));
  if (config.heads % 2 !== 0) {
    throw new ShapeError('FactorisedDotProductEncoder', `${config.heads} heads do not split in half`, [x]);
  }
  return g.scope('encoder', () => {
    let h = op.reshape(x, [batch * length, d]);
    weights.layers.forEach((w, i) => {
      g.scope(`layer${i}`, () => {
        h = residual(
          g,
          'attn',
          h,
          (normed) => factorisedDotProductAttention(normed, w, config.heads, { batch, grid }, dropout),
          w.attnNorm,
          config,
          dropout,
        );
        h = residual(g, 'ffn', h, (input) => feedForward(input, w, config), w.ffnNorm, config, dropout);
      });
    });
    if (weights.finalNorm) {
      const { gamma, beta } = weights.finalNorm;
      h = g.scope('norm', () => op.layerNorm(h, gamma, beta, config.layerNormEps));
    }
    return { hidden: op.reshape(h, [batch, length, d]) };
  });
}

/**
 * Rows x [B*T*S, d] (frame-major) through one fused q|k|v projection; heads [0, heads/2) attend
 * over the S patches of their frame, heads [heads/2, heads) over the T frames of their patch;
 * the heads are concatenated in that order and projected by wo.
 */
export function factorisedDotProductAttention(
  x: Tensor,
  w: AttentionWeights,
  heads: number,
  { batch, grid }: { batch: number; grid: TokenGrid },
  dropout?: EncoderDropout,
): Tensor {
  const d = x.shape[1];
  const width = d / heads;
  const frames = grid.frames;
  const patches = patchesPerFrame(grid);
  const half = heads / 2;
  const attention = (q: Tensor, k: Tensor, v: Tensor) =>
    op.scaledDotProductAttention(q, k, v, {
      dropout: dropout && dropout.attention > 0 ? { p: dropout.attention, seed: dropout.seed } : undefined,
    }).output;
  const qkv = op.linear(x, w.wqkv, w.bqkv);
  // [B*T*S, 3d] -> [3, B, heads, T, S, width]
  const stacked = op.transpose(
    op.reshape(qkv, [batch, frames, patches, 3, heads, width]),
    [3, 0, 4, 1, 2, 5],
  );
  const [space, time] = op.split(stacked, 2, [half, half]);
  const qkvOf = (t: Tensor, shape: number[]) => op.split(t, 0, [1, 1, 1]).map((p) => op.reshape(p, shape));
  const [qs, ks, vs] = qkvOf(space, [batch, half, frames, patches, width]);
  const spatial = attention(qs, ks, vs);
  // [3, B, half, T, S, w] -> [3, B, half, S, T, w]: attention along the frames
  const [qt, kt, vt] = qkvOf(op.transpose(time, [0, 1, 2, 4, 3, 5]), [batch, half, patches, frames, width]);
  const temporal = op.transpose(attention(qt, kt, vt), [0, 1, 3, 2, 4]);
  // [B, heads, T, S, w] -> rows [B*T*S, heads*w]
  const merged = op.transpose(op.concat([spatial, temporal], 1), [0, 2, 3, 1, 4]);
  return op.linear(op.reshape(merged, [batch * frames * patches, d]), w.wo, w.bo);
}

function checkInput(name: string, x: Tensor, config: EncoderConfig, tokens: number): void {
  const [, length, d] = x.shape;
  if (x.rank !== 3 || length !== tokens || d !== config.hidden || d % config.heads !== 0) {
    throw new ShapeError(
      name,
      `expected [batch, ${tokens}, ${config.hidden}] for the token grid, with ${config.heads} heads dividing the width`,
      [x],
    );
  }
}

// ---------------------------------------------------------------------------------------------
// MViT: multiscale pooling attention

export type Stride3 = readonly [number, number, number];

export interface MvitStage {
  blocks: number;
  /** channel width of the stage */
  hidden: number;
  heads: number;
  /** pooling of the queries and of the skip connection in the stage's first block; [1, 1, 1] keeps the grid */
  queryStride: Stride3;
  /** pooling of keys and values in every block of the stage (on the stage's grid) */
  kvStride: Stride3;
}

export interface MvitConfig {
  stages: MvitStage[];
  /** MLP width over the block's input width (4 in MViT) */
  mlpRatio: number;
  /**
   * 'max': max pooling with MViT's overlapping kernel (stride + 1 where the stride exceeds 1,
   * half of it as padding): the reference. 'avg': mean over non-overlapping stride-sized windows,
   * which runs in float64 (onnxruntime's pooling kernels are float32) and needs divisible grids.
   */
  pool: 'max' | 'avg';
  layerNormEps: number;
  gelu: 'tanh' | 'none';
}

/** One block's geometry: the width and grid it reads, and the width and grid it writes. */
export interface MvitBlockPlan {
  dimIn: number;
  dimOut: number;
  heads: number;
  gridIn: TokenGrid;
  gridOut: TokenGrid;
  queryStride: Stride3;
  kvStride: Stride3;
}

/**
 * The blocks of the config on an input grid. As in MViT, a stage's last block widens the
 * channels to the next stage's width in its MLP (its skip projected), and the next stage's first
 * block pools the grid.
 */
export function mvitPlan(config: MvitConfig, grid: TokenGrid): MvitBlockPlan[] {
  const plan: MvitBlockPlan[] = [];
  let current = grid;
  config.stages.forEach((stage, s) => {
    if (stage.hidden % stage.heads !== 0) {
      throw new Error(`MViT stage ${s}: ${stage.heads} heads do not divide width ${stage.hidden}`);
    }
    for (let b = 0; b < stage.blocks; b++) {
      const queryStride: Stride3 = b === 0 ? stage.queryStride : [1, 1, 1];
      const gridOut = pooledGrid(current, queryStride, config.pool, `MViT stage ${s} block ${b} queries`);
      pooledGrid(gridOut, stage.kvStride, config.pool, `MViT stage ${s} block ${b} keys`);
      const last = b === stage.blocks - 1;
      plan.push({
        dimIn: stage.hidden,
        dimOut: last && s + 1 < config.stages.length ? config.stages[s + 1].hidden : stage.hidden,
        heads: stage.heads,
        gridIn: current,
        gridOut,
        queryStride,
        kvStride: stage.kvStride,
      });
      current = gridOut;
    }
  });
  return plan;
}

function pooledGrid(grid: TokenGrid, stride: Stride3, pool: MvitConfig['pool'], what: string): TokenGrid {
  const sizes = [grid.frames, grid.height, grid.width];
  const out = sizes.map((n, i) => {
    const s = stride[i];
    if (!Number.isInteger(s) || s < 1) throw new Error(`${what}: stride ${s} is not a positive integer`);
    if (pool === 'avg') {
      if (n % s !== 0)
        throw new Error(`${what}: stride ${s} does not divide the grid side ${n} (avg pooling)`);
      return n / s;
    }
    const { kernel, pad } = maxWindow(s);
    return Math.floor((n + 2 * pad - kernel) / s) + 1;
  });
  return { frames: out[0], height: out[1], width: out[2] };
}

export interface MvitBlockWeights extends LayerWeights {
  /** LayerNorm after pooling, on the head width, for q, k and v (MViT's norm_q/k/v) */
  poolNorms: { q: LayerNormWeights; k: LayerNormWeights; v: LayerNormWeights };
  /** where the block widens the channels: the skip's projection of the normed input */
  projection?: { w: Tensor; b: Tensor };
}

export interface MvitWeights {
  blocks: MvitBlockWeights[];
  finalNorm: LayerNormWeights;
}

/** Parameters `mvit/block<i>/...`, initialised as ViT's (Xavier dense layers, zero biases). */
export function mvitWeights(
  source: TensorSource,
  config: MvitConfig,
  grid: TokenGrid,
  seed: number,
  { prefix = 'mvit', dtype = 'float32' }: { prefix?: string; dtype?: 'float32' | 'float64' } = {},
): MvitWeights {
  const make = (name: string, shape: number[], init: Initializer) =>
    source(name, shape, initialValues(seed, name, shape, init, dtype));
  const dense = (name: string, fanIn: number, fanOut: number, columns = fanOut) =>
    make(name, [fanIn, columns], { kind: 'xavier-uniform', fanIn, fanOut });
  const zeros = (name: string, n: number) => make(name, [n], { kind: 'constant', value: 0 });
  const norm = (name: string, n: number): LayerNormWeights => ({
    gamma: make(`${name}/gamma`, [n], { kind: 'constant', value: 1 }),
    beta: zeros(`${name}/beta`, n),
  });
  const plan = mvitPlan(config, grid);
  const blocks = plan.map((p, i): MvitBlockWeights => {
    const at = `${prefix}/block${i}`;
    const d = p.dimIn;
    const hiddenMlp = Math.round(config.mlpRatio * d);
    const width = d / p.heads;
    return {
      wqkv: dense(`${at}/attn/wqkv`, d, d, 3 * d),
      bqkv: zeros(`${at}/attn/bqkv`, 3 * d),
      wo: dense(`${at}/attn/wo`, d, d),
      bo: zeros(`${at}/attn/bo`, d),
      attnNorm: norm(`${at}/attn_norm`, d),
      poolNorms: {
        q: norm(`${at}/attn/pool_q_norm`, width),
        k: norm(`${at}/attn/pool_k_norm`, width),
        v: norm(`${at}/attn/pool_v_norm`, width),
      },
      w1: dense(`${at}/ffn/w1`, d, hiddenMlp),
      b1: zeros(`${at}/ffn/b1`, hiddenMlp),
      w2: dense(`${at}/ffn/w2`, hiddenMlp, p.dimOut),
      b2: zeros(`${at}/ffn/b2`, p.dimOut),
      ffnNorm: norm(`${at}/ffn_norm`, d),
      ...(p.dimOut !== d
        ? { projection: { w: dense(`${at}/proj/w`, d, p.dimOut), b: zeros(`${at}/proj/b`, p.dimOut) } }
        : {}),
    };
  });
  const lastDim = plan.length ? plan[plan.length - 1].dimOut : config.stages[0].hidden;
  return { blocks, finalNorm: norm(`${prefix}/norm`, lastDim) };
}

export interface MvitResult extends VideoEncoderResult {
  /** the grid of the output tokens */
  grid: TokenGrid;
}

/**
 * MViT over x [B, T*H*W, d0] (tokens frame-major, then row-major; no [CLS]: pool the output for
 * a clip, as MViTv2 does). Each block: LN, q|k|v projection, q pooled by the block's query
 * stride and k, v by the stage's kv stride (each then LayerNormed per head), attention,
 * output projection, added to the skip pooled like q; then LN and the MLP, whose last block of a
 * stage widens the channels while a linear map widens the skip.
 */
export function mvitEncoder(
  x: Tensor,
  weights: MvitWeights,
  config: MvitConfig,
  { grid, dropout }: { grid: TokenGrid; dropout?: EncoderDropout },
): MvitResult {
  const g = x.graph;
  const [batch, length, d0] = x.shape;
  const plan = mvitPlan(config, grid);
  if (x.rank !== 3 || length !== grid.frames * grid.height * grid.width || d0 !== config.stages[0].hidden) {
    throw new ShapeError(
      'MvitEncoder',
      `expected [batch, ${grid.frames * grid.height * grid.width}, ${config.stages[0].hidden}] for grid ${grid.frames}x${grid.height}x${grid.width}`,
      [x],
    );
  }
  if (weights.blocks.length !== plan.length) {
    throw new Error(`mvitEncoder: ${weights.blocks.length} blocks of weights for ${plan.length} planned`);
  }
  const drop = (t: Tensor) =>
    dropout && dropout.hidden > 0 ? op.dropout(t, { p: dropout.hidden, seed: dropout.seed }) : t;
  const norm = (t: Tensor, { gamma, beta }: LayerNormWeights) =>
    op.layerNorm(t, gamma, beta, config.layerNormEps);
  return g.scope('mvit', () => {
    let h = x;
    plan.forEach((p, i) => {
      const w = weights.blocks[i];
      h = g.scope(`block${i}`, () => {
        const attended = g.scope('attn', () =>
          poolingAttention(
            g.scope('norm', () => norm(h, w.attnNorm)),
            w,
            p,
            config,
            dropout,
          ),
        );
        const skip = g.scope('skip', () => poolTokens(h, p.gridIn, p.queryStride, config.pool));
        const mid = op.add(skip, drop(attended));
        const normed = g.scope('ffn_norm', () => norm(mid, w.ffnNorm));
        const rows = op.reshape(normed, [batch * normed.shape[1], p.dimIn]);
        const mlp = g.scope('ffn', () =>
          op.reshape(feedForward(rows, w, config), [batch, normed.shape[1], p.dimOut]),
        );
        const base = w.projection
          ? g.scope('proj', () =>
              op.reshape(op.linear(rows, w.projection!.w, w.projection!.b), [
                batch,
                normed.shape[1],
                p.dimOut,
              ]),
            )
          : mid;
        return op.add(base, drop(mlp));
      });
    });
    const out = g.scope('norm', () => norm(h, weights.finalNorm));
    return { hidden: out, grid: plan.length ? plan[plan.length - 1].gridOut : grid };
  });
}

/** Normed x [B, L, d] on grid p.gridIn to the attention output [B, L', d] on p.gridOut. */
function poolingAttention(
  x: Tensor,
  w: MvitBlockWeights,
  p: MvitBlockPlan,
  config: MvitConfig,
  dropout: EncoderDropout | undefined,
): Tensor {
  const [batch, length, d] = x.shape;
  const width = d / p.heads;
  const qkv = op.linear(op.reshape(x, [batch * length, d]), w.wqkv, w.bqkv);
  // [B*L, 3d] -> [3, B, heads, L, width]
  const stacked = op.transpose(op.reshape(qkv, [batch, length, 3, p.heads, width]), [2, 0, 3, 1, 4]);
  const [q, k, v] = op
    .split(stacked, 0, [1, 1, 1])
    .map((t) => op.reshape(t, [batch * p.heads, length, width]));
  const pooled = (t: Tensor, stride: Stride3, { gamma, beta }: LayerNormWeights, grid: TokenGrid) => {
    const out = poolTokens(t, grid, stride, config.pool);
    return op.reshape(op.layerNorm(out, gamma, beta, config.layerNormEps), [
      batch,
      p.heads,
      out.shape[1],
      width,
    ]);
  };
  const qp = pooled(q, p.queryStride, w.poolNorms.q, p.gridIn);
  // keys and values pooled from the input grid by the query stride times the kv stride, as
  // MViT's adaptive kv stride keeps them at the stage's kv resolution
  const kvStride = p.queryStride.map((s, i) => s * p.kvStride[i]) as unknown as Stride3;
  const kp = pooled(k, kvStride, w.poolNorms.k, p.gridIn);
  const vp = pooled(v, kvStride, w.poolNorms.v, p.gridIn);
  const { output } = op.scaledDotProductAttention(qp, kp, vp, {
    dropout: dropout && dropout.attention > 0 ? { p: dropout.attention, seed: dropout.seed } : undefined,
  });
  const tokens = qp.shape[2];
  const merged = op.reshape(op.mergeHeads(output), [batch * tokens, d]);
  return op.reshape(op.linear(merged, w.wo, w.bo), [batch, tokens, d]);
}

/** Tokens [N, T*H*W, c] on `grid` pooled by `stride` over the grid: [N, T'*H'*W', c]. */
export function poolTokens(x: Tensor, grid: TokenGrid, stride: Stride3, pool: MvitConfig['pool']): Tensor {
  if (stride.every((s) => s === 1)) return x;
  const [n, , c] = x.shape;
  const { frames: t, height: hh, width: ww } = grid;
  if (pool === 'avg') {
    const [st, sh, sw] = stride;
    const windows = op.reshape(x, [n, t / st, st, hh / sh, sh, ww / sw, sw, c]);
    const mean = op.reduceMean(windows, [2, 4, 6]);
    return op.reshape(mean, [n, (t / st) * (hh / sh) * (ww / sw), c]);
  }
  const kernel = stride.map((s) => maxWindow(s).kernel);
  const pads = stride.map((s) => maxWindow(s).pad);
  const volume = op.transpose(op.reshape(x, [n, t, hh, ww, c]), [0, 4, 1, 2, 3]);
  const out = op.maxPool(volume, { kernel, strides: [...stride], pads });
  const [, , ot, oh, ow] = out.shape;
  return op.reshape(op.transpose(out, [0, 2, 3, 4, 1]), [n, ot * oh * ow, c]);
}

/** MViT's pooling window for a stride: overlapping (stride + 1) where it pools, padded by half. */
function maxWindow(stride: number): { kernel: number; pad: number } {
  const kernel = stride > 1 ? stride + 1 : 1;
  return { kernel, pad: Math.floor(kernel / 2) };
}
