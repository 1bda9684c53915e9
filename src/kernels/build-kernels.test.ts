import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compileKernel, kernels } from './build-kernels.ts';

// No committed binary drifts from its source: `npm run build:kernels` after editing a kernel.
for (const kernel of kernels) {
  test(`${kernel.wasm.split('/').slice(-2).join('/')} is what its source compiles to`, async () => {
    const rebuilt = await compileKernel(kernel);
    const committed = readFileSync(kernel.wasm);
    assert.ok(
      Buffer.from(rebuilt).equals(committed),
      `${kernel.wasm} differs from a fresh build of ${kernel.source}: run npm run build:kernels`,
    );
  });
}
