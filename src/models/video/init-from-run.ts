// ViViT starts its spatial weights from an image model (section 3.4, "Initialisation"): here from
// a finished ViT run of the workspace. Parameters with the same name and shape are copied (the
// encoder's layers, which Models 3 and 4 and TimeSformer name as ViT does for their spatial part,
// [CLS], and for per-frame encoders and TimeSformer the patch embedding and positions); the
// tubelet embedding is the 2-D patch embedding inflated over t frames (./tokens.ts), and positions
// over all tokens repeat the image's patch positions at every time step (after the [CLS] position
// where the video model has a [CLS]). The head is never copied: the classes differ.
//
// What is not in the image run keeps its initialisation: TimeSformer's time embedding (zero) and
// temporal attentions (output projections zero after the first block, as its code does). Model 3
// zeroes the output projection of every temporal attention, so each block starts as the image
// model's (ViViT 3.4: the temporal MHSA "behaves as a residual connection at initialisation");
// its q, k, v stay random, since an all-zero attention would receive no gradient.
import type { Program } from '../../onnx/program.ts';
import { readCheckpoint } from '../../onnx/runtime/checkpoint.ts';
import type { Workspace } from '../../workspace/workspace.ts';
import { bestCheckpoint, runDirectory } from '../run-directory.ts';
import { VitConfig } from '../vit/config.ts';
import { inferenceProgram } from '../vit/model.ts';
import { RunNotUsable } from '../vit/stored-run.ts';
import { shapeOf, type VitData } from '../vit/train.ts';
import type { VideoShape, VivitConfig } from './config.ts';
import { inflatePatchWeights } from './tokens.ts';

/** Replaces the initial values of `program`'s parameters from ViT run `runId`; returns the names set. */
export async function initialiseFromImageRun(
  workspace: Workspace,
  runId: number,
  program: Program,
  config: VivitConfig,
  shape: VideoShape,
): Promise<string[]> {
  const run = workspace.runs.get(runId);
  if (!run) throw new RunNotUsable(`init_from_run: no run ${runId} in ${workspace.path}`);
  if (run.model !== 'vit')
    throw new RunNotUsable(`init_from_run: run ${runId} is a ${run.model} run, not a ViT run`);
  if (run.status !== 'done') throw new RunNotUsable(`init_from_run: run ${runId} is ${run.status}, not done`);
  const { data, ...stored } = run.config as unknown as VitConfig & { data: VitData };
  const image = VitConfig.parse(stored);
  const mismatch = (['hidden', 'heads', 'mlp'] as const).filter((key) => image[key] !== config[key]);
  if (data.patch !== shape.patch) mismatch.push('patch' as never);
  if (data.channels !== shape.channels) mismatch.push('channels' as never);
  if (mismatch.length > 0) {
    throw new RunNotUsable(
      `init_from_run: run ${runId} differs in ${mismatch.join(', ')} (ViT hidden ${image.hidden}, heads ${image.heads}, mlp ${image.mlp}, patch ${data.patch}, channels ${data.channels}; this run hidden ${config.hidden}, heads ${config.heads}, mlp ${config.mlp}, patch ${shape.patch}, channels ${shape.channels})`,
    );
  }
  const vitProgram = inferenceProgram(image, shapeOf(data), data.normalisation, 1);
  const checkpoint = await readCheckpoint(
    bestCheckpoint(runDirectory(workspace.path, runId)),
    vitProgram,
  ).catch((error: Error) => {
    throw new RunNotUsable(
      `init_from_run: the best checkpoint of run ${runId} cannot be read (${error.message})`,
    );
  });
  const source = checkpoint.parameters as Record<string, Float32Array>;
  const d = config.hidden;
  const perStep = (shape.size / shape.patch) ** 2;
  const steps = shape.frames / shape.tubelet;
  const set: string[] = [];
  for (const parameter of program.parameters) {
    const { name } = parameter;
    let values: Float32Array | undefined;
    if (name.startsWith('head/')) continue;
    if (config.variant === 'model3' && /^encoder\/layer\d+\/temporal_attn\/(wo|bo)$/.test(name)) {
      parameter.init = new Float32Array(parameter.init.length);
      continue;
    }
    if (name === 'embedding/tubelet/w') {
      values = inflatePatchWeights(
        source['embedding/patch/w'],
        { channels: shape.channels, patch: shape.patch, t: shape.tubelet, hidden: d },
        config.tubelet_init,
      );
    } else if (name === 'embedding/tubelet/b') values = source['embedding/patch/b'];
    else if (name === 'embedding/positions' && parameter.init.length !== source[name]?.length) {
      const image = source[name];
      if (image.length !== (perStep + 1) * d) continue;
      values = new Float32Array(parameter.init.length);
      const cls = values.length === (steps * perStep + 1) * d ? d : 0;
      values.set(image.subarray(0, cls));
      for (let at = cls; at < values.length; at += perStep * d) values.set(image.subarray(d), at);
    } else if (source[name]?.length === parameter.init.length) values = source[name];
    if (values) {
      parameter.init = values;
      set.push(name);
    }
  }
  return set;
}
