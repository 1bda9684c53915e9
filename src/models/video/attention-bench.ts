// What each video encoder costs at one size: parameters, FLOPs per clip counted from the forward
// graph (src/onnx/flops.ts), ms per training step (forward and the gradients of every parameter,
// no optimizer update), inference clips per second and peak memory. Every variant reads the same
// tokens (2-D P x P patches of each frame, linearly embedded, learned positions) and ends in the
// same mean-pooled linear head, so the rows differ by the encoder alone. Model 1, Model 2 and the
// frame-average baseline are built here from the shared Transformer encoder as ViViT defines them;
// Models 3, 4, TimeSformer and MViT come from ./attention-variants.ts. Accuracy needs a training
// run on the motion dataset and is left null here.
import ort from 'onnxruntime-node';
import { grad } from '../../onnx/autodiff.ts';
import { countFlops } from '../../onnx/flops.ts';
import { Graph, type Tensor } from '../../onnx/graph.ts';
import { softmaxCrossEntropy } from '../../onnx/losses.ts';
import * as op from '../../onnx/ops/index.ts';
import { mulberry32 } from '../../onnx/testing/random.ts';
import {
  type EncoderConfig,
  encoderWeights,
  parametersOf,
  type TensorSource,
  transformerEncoder,
} from '../transformer/index.ts';
import { initialValues } from '../transformer/init.ts';
import {
  dividedEncoderWeights,
  dividedSpaceTimeEncoder,
  factorisedDotProductEncoder,
  type MvitConfig,
  mvitEncoder,
  mvitWeights,
  type TokenGrid,
} from './attention-variants.ts';

export const benchVariants = [
  'model1',
  'model2',
  'model3',
  'model4',
  'timesformer',
  'mvit',
  'frame-average',
] as const;
export type BenchVariant = (typeof benchVariants)[number];

export interface VideoBenchSizes {
  frames: number;
  /** side of the square greyscale frames */
  size: number;
  patch: number;
  hidden: number;
  /** encoder layers (Model 2: spatial and temporal layers each; MViT: split over its 2 stages) */
  layers: number;
  heads: number;
  batch: number;
  classes: number;
}

export const videoBenchDefaults: VideoBenchSizes = {
  frames: 8,
  size: 32,
  patch: 8,
  hidden: 32,
  layers: 2,
  heads: 4,
  batch: 8,
  classes: 4,
};

export interface VideoBenchRow {
  name: BenchVariant;
  frames: number;
  /** top-1 on the motion dataset: from a training run, null in a cost-only bench */
  accuracy: number | null;
  params: number;
  /** per clip, forward pass (convention in src/onnx/flops.ts: a multiply-add is 2) */
  flops: number;
  ms_per_step: number | null;
  clips_per_s: number | null;
  peak_mb: number | null;
}

const encoderConfig = (s: VideoBenchSizes, layers = s.layers): EncoderConfig => ({
  layers,
  hidden: s.hidden,
  heads: s.heads,
  ffn: 4 * s.hidden,
  norm: 'pre',
  gelu: 'none',
  layerNormEps: 1e-6,
  init: { kind: 'vit' },
});

/** MViT at the bench size: two stages, the second with twice the channels and half the grid side. */
export function benchMvitConfig(s: VideoBenchSizes): MvitConfig {
  const first = Math.max(1, Math.floor(s.layers / 2));
  return {
    stages: [
      { blocks: first, hidden: s.hidden, heads: s.heads / 2, queryStride: [1, 1, 1], kvStride: [1, 2, 2] },
      {
        blocks: Math.max(1, s.layers - first),
        hidden: 2 * s.hidden,
        heads: s.heads,
        queryStride: [1, 2, 2],
        kvStride: [1, 1, 1],
      },
    ],
    mlpRatio: 4,
    pool: 'max',
    layerNormEps: 1e-6,
    gelu: 'none',
  };
}

/** [B, d] clip representations of tokens [B, T*S, d] (frame-major) for a variant. */
function encode(
  g: Graph,
  variant: BenchVariant,
  tokens: Tensor,
  s: VideoBenchSizes,
  grid: TokenGrid,
): Tensor {
  const source: TensorSource = parametersOf(g);
  const config = encoderConfig(s);
  const [batch, , d] = tokens.shape;
  const patches = grid.height * grid.width;
  const meanTokens = (t: Tensor) => op.reduceMean(t, [1]);
  const perFrame = (prefix: string) =>
    transformerEncoder(
      op.reshape(tokens, [batch * grid.frames, patches, d]),
      encoderWeights(source, config, 1, { prefix }),
      config,
    ).hidden;
  switch (variant) {
    case 'model1':
      return meanTokens(transformerEncoder(tokens, encoderWeights(source, config, 1), config).hidden);
    case 'model2': {
      const frames = op.reshape(meanTokens(perFrame('encoder')), [batch, grid.frames, d]);
      const temporal = transformerEncoder(
        frames,
        encoderWeights(source, config, 1, { prefix: 'temporal' }),
        config,
      );
      return meanTokens(temporal.hidden);
    }
    case 'frame-average':
      return meanTokens(op.reshape(meanTokens(perFrame('encoder')), [batch, grid.frames, d]));
    case 'model3':
    case 'timesformer': {
      const cls = variant === 'timesformer';
      const weights = dividedEncoderWeights(source, config, 1);
      const input = cls
        ? op.concat(
            [
              op.expand(g.parameter('cls', [1, 1, d], { values: new Float32Array(d) }), [batch, 1, d]),
              tokens,
            ],
            1,
          )
        : tokens;
      const order = cls ? 'time-space' : 'space-time';
      const { hidden } = dividedSpaceTimeEncoder(input, weights, config, { grid, cls, order });
      return cls ? op.reshape(op.slice(hidden, 1, 0, 1), [batch, d]) : meanTokens(hidden);
    }
    case 'model4':
      return meanTokens(
        factorisedDotProductEncoder(tokens, encoderWeights(source, config, 1), config, { grid }).hidden,
      );
    case 'mvit': {
      const mvit = benchMvitConfig(s);
      return meanTokens(mvitEncoder(tokens, mvitWeights(source, mvit, grid, 1), mvit, { grid }).hidden);
    }
  }
}

interface BuiltGraph {
  g: Graph;
  logits: Tensor;
  loss: Tensor;
}

/** Clips [B, T, 1, size, size] -> patch tokens + positions -> encoder -> head; loss on labels. */
function build(variant: BenchVariant, s: VideoBenchSizes): BuiltGraph {
  const g = new Graph(`video_${variant}`);
  const side = s.size / s.patch;
  const grid = { frames: s.frames, height: side, width: side };
  const tokensPerFrame = side * side;
  const clips = g.input('clips', [s.batch, s.frames, 1, s.size, s.size]);
  const labels = g.input('labels', [s.batch], 'int64');
  const param = (name: string, shape: number[], std: number) =>
    g.parameter(name, shape, { values: initialValues(1, name, shape, { kind: 'normal', std }) });
  const width = s.patch * s.patch;
  const flat = op.reshape(
    op.patches(op.reshape(clips, [s.batch * s.frames, 1, s.size, s.size]), [s.patch, s.patch]),
    [s.batch * s.frames * tokensPerFrame, width],
  );
  const embedded = op.linear(
    flat,
    param('embedding/w', [width, s.hidden], 0.1),
    param('embedding/b', [s.hidden], 0),
  );
  const tokens = op.add(
    op.reshape(embedded, [s.batch, s.frames * tokensPerFrame, s.hidden]),
    param('embedding/positions', [1, s.frames * tokensPerFrame, s.hidden], 0.02),
  );
  const clip = encode(g, variant, tokens, s, grid);
  const d = clip.shape[1];
  const logits = op.linear(clip, param('head/w', [d, s.classes], 0.02), param('head/b', [s.classes], 0));
  return { g, logits, loss: softmaxCrossEntropy(logits, labels) };
}

/** Parameters and forward FLOPs per clip, without running anything. */
export function videoCost(variant: BenchVariant, s: VideoBenchSizes): { params: number; flops: number } {
  const { g, logits } = build(variant, s);
  g.output('logits', logits);
  const params = g.parameters.reduce((n, p) => n + p.tensor.size, 0);
  return { params, flops: countFlops(g.toModel({ valueInfo: true })).total / s.batch };
}

/**
 * One row: cost, then median ms of a training step (loss and every parameter's gradient) and of
 * an inference batch over `steps` timed runs after `warmup` untimed ones, and the process's peak
 * resident memory (run one row per process for a per-variant figure).
 */
export async function benchVideoVariant(
  variant: BenchVariant,
  s: VideoBenchSizes,
  { steps = 5, warmup = 2, threads = 2 }: { steps?: number; warmup?: number; threads?: number } = {},
): Promise<VideoBenchRow> {
  const cost = videoCost(variant, s);
  const train = build(variant, s);
  const wrt = train.g.parameters.map((p) => p.tensor);
  train.g.output('loss', train.loss);
  grad(train.loss, wrt).forEach((t, i) => {
    train.g.output(`grad${i}`, t);
  });
  const infer = build(variant, s);
  infer.g.output('logits', infer.logits);
  const rand = mulberry32(7);
  const clips = Float32Array.from({ length: s.batch * s.frames * s.size * s.size }, () => rand());
  const labels = BigInt64Array.from({ length: s.batch }, (_, i) => BigInt(i % s.classes));
  const shape = [s.batch, s.frames, 1, s.size, s.size];
  const options = { intraOpNumThreads: threads, interOpNumThreads: 1 };
  const time = async (model: Uint8Array, feeds: Record<string, ort.Tensor>) => {
    const session = await ort.InferenceSession.create(model, options);
    try {
      const ms: number[] = [];
      for (let i = 0; i < warmup + steps; i++) {
        const from = performance.now();
        await session.run(feeds);
        if (i >= warmup) ms.push(performance.now() - from);
      }
      return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
    } finally {
      await session.release();
    }
  };
  const clipTensor = new ort.Tensor('float32', clips, shape);
  const labelTensor = new ort.Tensor('int64', labels, [s.batch]);
  const stepMs = await time(train.g.toModel({ parameters: 'initializers' }), {
    clips: clipTensor,
    labels: labelTensor,
  });
  const inferMs = await time(infer.g.toModel({ parameters: 'initializers' }), {
    clips: clipTensor,
    labels: labelTensor,
  });
  return {
    name: variant,
    frames: s.frames,
    accuracy: null,
    ...cost,
    ms_per_step: round(stepMs),
    clips_per_s: round((1000 * s.batch) / inferMs),
    peak_mb: round(process.resourceUsage().maxRSS / 1024),
  };
}

const round = (v: number) => Math.round(v * 10) / 10;

/** Per-variant rows, each measured in a child process so its peak memory is its own. */
export async function benchVideo(
  s: VideoBenchSizes,
  options: { steps?: number; warmup?: number; threads?: number } = {},
): Promise<VideoBenchRow[]> {
  const { fork } = await import('node:child_process');
  const rows: VideoBenchRow[] = [];
  for (const variant of benchVariants) {
    const row = await new Promise<VideoBenchRow>((resolve, reject) => {
      const child = fork(new URL('./attention-bench-row.ts', import.meta.url), [], {
        // the child runs TypeScript whether this process was started with --import tsx or
        // through the CLI's programmatic tsx registration
        execArgv: [...process.execArgv.filter((a) => a !== '--import' && a !== 'tsx'), '--import', 'tsx'],
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      let result: VideoBenchRow | undefined;
      child.on('message', (m) => {
        result = m as VideoBenchRow;
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        result ? resolve(result) : reject(new Error(`bench video: the ${variant} row exited with ${code}`)),
      );
      child.send({ variant, sizes: s, options });
    });
    rows.push(row);
  }
  return rows;
}
