// Writing ONNX models to disk for stock onnxruntime (any language) to load. The write goes
// through a temporary sibling and a rename, so a crash never leaves a truncated model behind.
import { writeFileAtomic } from '../../ingest/export/atomic-file.ts';

export async function saveModel(file: string, model: Uint8Array): Promise<void> {
  if (model.byteLength === 0) throw new Error(`saveModel ${file}: the model is empty`);
  await writeFileAtomic(file, async (handle) => {
    await handle.write(model);
  });
}
