// A video classifier: uint8 clips [B, T, C, H, W] normalised in the graph (batches cross threads
// as bytes), the variant's encoder (./variants.ts), and a zero-initialised linear head. Training
// is ViT's: label-smoothed cross-entropy, AdamW with linear warmup and cosine decay, global-norm
// clipping.
import { compileEvalStep, compileTrainStep } from '../../onnx/compile.ts';
import type { Graph, Tensor } from '../../onnx/graph.ts';
import { softmaxCrossEntropy } from '../../onnx/losses.ts';
import * as op from '../../onnx/ops/index.ts';
import { adamw, schedule } from '../../onnx/optim/index.ts';
import type { Program } from '../../onnx/program.ts';
import { correct, type Normalisation } from '../vit/model.ts';
import { seededParameter } from '../vit/tokens.ts';
import type { VideoShape, VivitConfig } from './config.ts';
import { normalisedClips } from './tokens.ts';
import { variants } from './variants.ts';

/** [B, width] clip representations and [B, classes] logits. */
function network(
  g: Graph,
  clips: Tensor,
  config: VivitConfig,
  shape: VideoShape,
  norm: Normalisation,
  dropoutSeed: Tensor | null,
): { embedding: Tensor; logits: Tensor } {
  const pixels = g.scope('embedding', () => normalisedClips(clips, norm));
  const embedding = variants[config.variant]({ g, pixels, config, shape, dropoutSeed });
  const d = embedding.shape[1];
  const zeros = { kind: 'constant', value: 0 } as const;
  const logits = g.scope('head', () =>
    op.linear(
      embedding,
      seededParameter(g, config.seed, 'head/w', [d, shape.classes], zeros),
      seededParameter(g, config.seed, 'head/b', [shape.classes], zeros),
    ),
  );
  return { embedding, logits };
}

const clipInput = (g: Graph, rows: number, shape: VideoShape) =>
  g.input('clips', [rows, shape.frames, shape.channels, shape.size, shape.size], 'uint8');

export function trainProgram(
  config: VivitConfig,
  shape: VideoShape,
  norm: Normalisation,
  rows: number,
  totalSteps: number,
): Program {
  const total = Math.max(totalSteps, 2);
  return compileTrainStep({
    name: `video_${config.variant}_train`,
    build: (g) => {
      const clips = clipInput(g, rows, shape);
      const labels = g.input('labels', [rows], 'int64');
      const seed = g.input('seed', [], 'int64');
      const net = network(g, clips, config, shape, norm, seed);
      const loss = g.scope('loss', () =>
        softmaxCrossEntropy(net.logits, labels, { ignoreIndex: -1, labelSmoothing: config.label_smoothing }),
      );
      return { loss, metrics: { correct: correct(net.logits, labels) } };
    },
    optimizer: adamw({ weightDecay: config.weight_decay }),
    schedule: schedule.warmupCosineDecay({
      peak: config.lr,
      warmupSteps: Math.min(Math.round(config.warmup * total), total - 1),
      totalSteps: total,
    }),
    clipNorm: config.clip_norm,
  });
}

/**
 * Logits and the clip representation (`embedding`) of a batch; with `valueInfo` the model declares
 * every intermediate's shape, as counting its FLOPs needs (src/onnx/flops.ts).
 */
export function inferenceProgram(
  config: VivitConfig,
  shape: VideoShape,
  norm: Normalisation,
  rows: number,
  { valueInfo = false }: { valueInfo?: boolean } = {},
): Program {
  return compileEvalStep({
    name: `video_${config.variant}_infer`,
    valueInfo,
    build: (g) => {
      const net = network(g, clipInput(g, rows, shape), config, shape, norm, null);
      return { outputs: { logits: net.logits, embedding: net.embedding } };
    },
  });
}
