// Compiles the WebAssembly kernels from their AssemblyScript sources (`npm run build:kernels`).
// The .wasm files are committed so that neither the runtime nor the packaged app needs the
// compiler; build-kernels.test.ts rebuilds them and checks they are byte-identical.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface KernelSource {
  source: string;
  wasm: string;
}

export const kernels: readonly KernelSource[] = [
  {
    source: path.join(here, 'skipgram', 'skipgram.as'),
    wasm: path.join(here, 'skipgram', 'skipgram.wasm'),
  },
];

/**
 * The memory is imported and shared (one per training run, laid out by the host, given to every
 * worker's instance); `use: abort=` drops the abort import and its message strings so the
 * module has no data segment that an instantiation would write into the shared tables.
 */
const compilerOptions = {
  optimizeLevel: 3,
  shrinkLevel: 0,
  noAssert: true,
  runtime: 'stub',
  use: ['abort='],
  importMemory: true,
  sharedMemory: true,
  initialMemory: 1,
  maximumMemory: 65536,
  enable: ['simd', 'threads'],
};

/**
 * Compiles a kernel's source to wasm bytes. The sources end in `.as` so that tsc and Biome,
 * which would read a `.ts` file as TypeScript, leave them alone; asc gets the text directly.
 */
export async function compileKernel(kernel: KernelSource): Promise<Uint8Array> {
  const name = `${path.basename(kernel.source, '.as')}.ts`;
  const { error, binary, stderr } = await asc.compileString(
    { [name]: readFileSync(kernel.source, 'utf8') },
    compilerOptions,
  );
  if (error || !binary) throw new Error(`asc failed on ${kernel.source}: ${error?.message}\n${stderr}`);
  return binary;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const kernel of kernels) {
    writeFileSync(kernel.wasm, await compileKernel(kernel));
    process.stdout.write(`${path.relative(process.cwd(), kernel.wasm)}\n`);
  }
}
