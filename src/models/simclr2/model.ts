// SimCLR v2's classifier: the encoder f(.), the first layer of the projection head (linear-BN-ReLU,
// the layer v2 fine-tunes from) and a linear classifier. Parameter names are those of the SimCLR
// run, so a pretrained run's values drop in by name; the classifier is new. The same network at a
// lower ResNet width is the distillation student.
import { compileEvalStep, compileTrainStep } from '../../onnx/compile.ts';
import type { Graph, Tensor } from '../../onnx/graph.ts';
import { distillationLoss, softmaxCrossEntropy } from '../../onnx/losses.ts';
import * as op from '../../onnx/ops/index.ts';
import { adamw, schedule } from '../../onnx/optim/index.ts';
import type { Program } from '../../onnx/program.ts';
import { batchNormalisation, graphLayers, type Layers, parameter } from '../resnet/layers.ts';
import type { SimclrConfig } from '../simclr/config.ts';
import { encode, type SimclrShape } from '../simclr/model.ts';
import type { Normalisation } from '../vit/model.ts';

export interface ClassifierShape extends SimclrShape {
  classes: number;
}

export interface Optimisation {
  lr: number;
  weight_decay: number;
  warmup: number;
}

/** The representation (input of the classifier) and the logits of uint8 images [B, C, H, W]. */
function classifier(
  layers: Layers,
  images: Tensor,
  config: SimclrConfig,
  shape: ClassifierShape,
  norm: Normalisation,
) {
  const g = layers.g;
  const h = encode(layers, images, config, shape, norm);
  // a 1-layer head is only linear to z: fine-tuning then starts from h, as v1
  const representation =
    config.head_layers < 2
      ? h
      : g.scope('head', () => {
          const width = config.head_hidden || h.shape[1];
          const w = parameter(layers, 'head/layer0/w', [h.shape[1], width], {
            kind: 'xavier-uniform',
            fanIn: h.shape[1],
            fanOut: width,
          });
          return op.relu(batchNormalisation(layers, 'head/layer0/bn', op.matmul(h, w)));
        });
  const logits = g.scope('classifier', () => {
    const d = representation.shape[1];
    const w = parameter(layers, 'classifier/w', [d, shape.classes], {
      kind: 'xavier-uniform',
      fanIn: d,
      fanOut: shape.classes,
    });
    return op.linear(
      representation,
      w,
      parameter(layers, 'classifier/b', [shape.classes], { kind: 'constant', value: 0 }),
    );
  });
  return { representation, logits };
}

/** Rows whose argmax is their label (filler rows, label -1, never count). */
function correct(logits: Tensor, labels: Tensor): Tensor {
  const best = op.reduceMax(logits, [1], true);
  const picked = op.reduceSum(
    // label -1 one-hot encodes as a zero row
    op.mul(logits, op.oneHot(labels, logits.shape[1], 'float32')),
    [1],
    true,
  );
  const valid = op.cast(op.unsqueeze(op.greater(labels, -1), 1), 'float32');
  return op.sumAll(op.mul(op.cast(op.equal(picked, best), 'float32'), valid));
}

/** Rows whose largest logit is where the teacher's is (a tie counts when the two share one). */
function agreement(logits: Tensor, teacher: Tensor): Tensor {
  const top = (x: Tensor) => op.cast(op.equal(x, op.reduceMax(x, [1], true)), 'float32');
  const shared = op.reduceSum(op.mul(top(logits), top(teacher)), [1]);
  return op.sumAll(op.cast(op.greater(shared, 0), 'float32'));
}

function inputs(g: Graph, shape: ClassifierShape, rows: number) {
  return {
    images: g.input('images', [rows, shape.channels, shape.size, shape.size], 'uint8'),
    labels: g.input('labels', [rows], 'int64'),
  };
}

function optimiser(o: Optimisation, updates: number) {
  const total = Math.max(updates, 2);
  return {
    optimizer: adamw({ weightDecay: o.weight_decay }),
    schedule: schedule.warmupCosineDecay({
      peak: o.lr,
      warmupSteps: Math.min(Math.round(o.warmup * total), total - 1),
      totalSteps: total,
    }),
  };
}

/** Cross-entropy on labelled images (fine-tuning, or the supervised baseline from scratch). */
export function finetuneProgram(
  config: SimclrConfig,
  shape: ClassifierShape,
  norm: Normalisation,
  rows: number,
  o: Optimisation,
  updates: number,
): Program {
  return compileTrainStep({
    name: 'simclr2_finetune',
    build: (g, context) => {
      const layers = graphLayers(g, { seed: config.seed, training: context.training });
      const { images, labels } = inputs(g, shape, rows);
      const { logits } = classifier(layers, images, config, shape, norm);
      const loss = g.scope('loss', () => softmaxCrossEntropy(logits, labels, { ignoreIndex: -1 }));
      return { loss, metrics: { correct: correct(logits, labels) }, stateUpdates: layers.updates };
    },
    ...optimiser(o, updates),
  });
}

/**
 * The student's loss (SimCLR v2 section 2, eq. 3, after Hinton et al. 2015): the divergence of its
 * softmax at temperature τ from the teacher's at τ (cross-entropy to the teacher's soft targets
 * less the teacher's entropy: the same gradient, 0 when the two agree), times τ² so its gradient
 * keeps its scale as τ changes; mixed with the cross-entropy of the labelled rows (label -1: no
 * label) as (1 - w) distillation + w labels.
 */
export function studentLoss(
  logits: Tensor,
  teacherLogits: Tensor,
  labels: Tensor,
  { temperature, label_weight }: { temperature: number; label_weight: number },
): Tensor {
  const distill = distillationLoss(logits, teacherLogits, temperature);
  if (label_weight === 0) return distill;
  const supervised = softmaxCrossEntropy(logits, labels, { ignoreIndex: -1 });
  return op.add(op.mul(distill, 1 - label_weight), op.mul(supervised, label_weight));
}

/** The student's training step: every row a real image (distillation batches are never filled up). */
export function distillProgram(
  config: SimclrConfig,
  shape: ClassifierShape,
  norm: Normalisation,
  rows: number,
  o: Optimisation & { temperature: number; label_weight: number },
  updates: number,
): Program {
  return compileTrainStep({
    name: 'simclr2_distill',
    build: (g, context) => {
      const layers = graphLayers(g, { seed: config.seed, training: context.training });
      const { images, labels } = inputs(g, shape, rows);
      const teacher = g.input('teacher_logits', [rows, shape.classes], 'float32');
      const { logits } = classifier(layers, images, config, shape, norm);
      const loss = g.scope('loss', () => studentLoss(logits, teacher, labels, o));
      return { loss, metrics: { agreement: agreement(logits, teacher) }, stateUpdates: layers.updates };
    },
    ...optimiser(o, updates),
  });
}

/** Logits and representation of a batch of `rows` images, BatchNorm on its running statistics. */
export function classifierInference(
  config: SimclrConfig,
  shape: ClassifierShape,
  norm: Normalisation,
  rows: number,
): Program {
  return compileEvalStep({
    name: 'simclr2_infer',
    build: (g, context) => {
      const layers = graphLayers(g, { seed: config.seed, training: context.training });
      const images = g.input('images', [rows, shape.channels, shape.size, shape.size], 'uint8');
      const { logits, representation } = classifier(layers, images, config, shape, norm);
      return { outputs: { logits, embedding: representation } };
    },
  });
}

/** `program` starting from `values` (by parameter name) where given, its own initial values elsewhere. */
export function startingFrom(program: Program, values: Record<string, ArrayLike<number>>): Program {
  return {
    ...program,
    parameters: program.parameters.map((p) =>
      p.name in values ? { ...p, init: Float32Array.from(values[p.name]) } : p,
    ),
  };
}
