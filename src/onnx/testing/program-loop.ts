// The smallest loop that runs a Program on onnxruntime-node for tests: feed batch + parameters +
// state, read the outputs, swap every `updatedBy` value in for the next step. The product's
// runtime (src/onnx/runtime) does the same with device-resident tensors, workers and checkpoints.
import ort from 'onnxruntime-node';
import type { Program } from '../program.ts';

export interface ProgramLoop {
  step(
    batch: Record<string, ort.Tensor>,
  ): Promise<{ scalars: Record<string, number>; outputs: ort.InferenceSession.ReturnType }>;
  /** current values fed under each parameter and state name */
  values: Map<string, ort.Tensor>;
  release(): Promise<void>;
}

export async function runProgram(
  program: Program,
  values = new Map<string, ort.Tensor>(),
): Promise<ProgramLoop> {
  const session = await ort.InferenceSession.create(program.model);
  for (const v of [...program.parameters, ...program.state]) {
    if (!values.has(v.name)) values.set(v.name, new ort.Tensor(v.dtype, v.init, [...v.shape]));
  }
  return {
    values,
    async step(batch) {
      // the values map may hold more than this program reads (an eval program fed from training)
      const feeds = Object.fromEntries(
        session.inputNames.map((n) => {
          const value = batch[n] ?? values.get(n);
          if (!value) throw new Error(`${program.kind} program: nothing to feed as ${n}`);
          return [n, value];
        }),
      );
      const outputs = await session.run(feeds);
      for (const v of [...program.parameters, ...program.state]) {
        if (v.updatedBy) values.set(v.name, outputs[v.updatedBy]);
      }
      const scalars = Object.fromEntries(program.scalars.map((s) => [s, Number(outputs[s].data[0])]));
      return { scalars, outputs };
    },
    release: () => session.release(),
  };
}
