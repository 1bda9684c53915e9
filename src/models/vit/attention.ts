// Where a trained ViT looks in one image: per layer and head, the [CLS] token's attention over the
// patches, and attention rollout over all layers (Abnar & Zuidema, ACL 2020). Computed from the
// run's best checkpoint by the same inference graph as evaluation, built with the attention
// probabilities as extra outputs (one model-building path; the training graph is untouched).
import ort from 'onnxruntime-node';
import type { Workspace } from '../../workspace/workspace.ts';
import { decodeInto } from '../vision/image-set.ts';
import { inferenceProgram } from './model.ts';
import { bestParametersSession, RunNotUsable, storedVitRun } from './stored-run.ts';
import { shapeOf } from './train.ts';

export interface AttentionMaps {
  run: number;
  entity: { id: number; key: string };
  /** the image's class in the dataset, null when unlabelled */
  label: string | null;
  /** the class the run predicts, and its softmax probability */
  predicted: string;
  confidence: number;
  image_size: number;
  patch: number;
  /** patches per side: every map is grid x grid, row-major, top-left first */
  grid: number;
  layers: number;
  heads: number;
  /** [layer][head]: the [CLS] row of the attention probabilities over the patches (without [CLS] itself) */
  cls: number[][][];
  /** the [CLS] row of the rollout over the patches, rescaled to sum to 1 */
  rollout: number[];
}

/**
 * Attention rollout: with A_l the head-averaged attention of layer l ([tokens, tokens], rows summing
 * to 1), the residual connection is accounted for as (A_l + I) / 2 and the layers compose as
 * R = (A_L + I)/2 ... (A_1 + I)/2. `layers[l]` is [heads, tokens, tokens] row-major; returns R.
 */
export function attentionRollout(layers: ArrayLike<number>[], heads: number, tokens: number): Float64Array {
  const area = tokens * tokens;
  let rollout = new Float64Array(area);
  for (let i = 0; i < tokens; i++) rollout[i * tokens + i] = 1;
  for (const attention of layers) {
    const mixed = new Float64Array(area);
    for (let h = 0; h < heads; h++) {
      for (let k = 0; k < area; k++) mixed[k] += attention[h * area + k] / (2 * heads);
    }
    for (let i = 0; i < tokens; i++) mixed[i * tokens + i] += 0.5;
    const next = new Float64Array(area);
    for (let i = 0; i < tokens; i++) {
      for (let k = 0; k < tokens; k++) {
        const a = mixed[i * tokens + k];
        if (a === 0) continue;
        for (let j = 0; j < tokens; j++) next[i * tokens + j] += a * rollout[k * tokens + j];
      }
    }
    rollout = next;
  }
  return rollout;
}

/** The maps of one image of the run's dataset, named by entity id or by its key (file name). */
export async function attentionMaps(
  workspace: Workspace,
  runId: number,
  entity: number | string,
  options: { threads?: number } = {},
): Promise<AttentionMaps> {
  const { config, data, dataset } = storedVitRun(workspace, runId, 'attention maps');
  let media = null;
  for (const m of workspace.media.each(dataset.id)) {
    if (m.entityId === entity || m.key === entity) {
      media = m;
      break;
    }
  }
  if (!media) throw new RunNotUsable(`dataset ${dataset.name} of run ${runId} has no image ${entity}`);
  const { channels, image_size: size, patch } = data;
  const pixels = new Uint8Array(channels * size * size);
  await decodeInto(media, { channels, height: size, width: size }, pixels);
  const program = inferenceProgram(config, shapeOf(data), data.normalisation, 1, { attentions: true });
  const session = await bestParametersSession(workspace, runId, program, options.threads);
  try {
    const out = await session.run({ images: new ort.Tensor('uint8', pixels, [1, channels, size, size]) });
    const grid = size / patch;
    const tokens = grid * grid + 1;
    const heads = config.heads;
    const layers = Array.from({ length: config.layers }, (_, l) => out[`attention${l}`].data as Float32Array);
    const cls = layers.map((a) =>
      Array.from({ length: heads }, (_, h) =>
        Array.from(a.subarray(h * tokens * tokens + 1, h * tokens * tokens + tokens)),
      ),
    );
    const row = attentionRollout(layers, heads, tokens).subarray(1, tokens);
    const total = row.reduce((s, x) => s + x, 0);
    const logits = out.logits.data as Float32Array;
    let best = 0;
    for (let c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
    const partition = logits.reduce((s, x) => s + Math.exp(x - logits[best]), 0);
    return {
      run: runId,
      entity: { id: media.entityId, key: media.key },
      label: media.classLabel ?? null,
      predicted: data.classes[best],
      confidence: 1 / partition,
      image_size: size,
      patch,
      grid,
      layers: config.layers,
      heads,
      cls,
      rollout: Array.from(row, (x) => x / total),
    };
  } finally {
    await session.release();
  }
}
