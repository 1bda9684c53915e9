// Execution providers: which ones this machine really has, and which one a run uses. A provider
// counts as available only when a tiny session creates and runs on it with the right answer;
// otherwise the probe keeps the reason (no Vulkan adapter, CUDA libraries missing, wrong OS) so
// the UI and the run record can say why training fell back to the CPU.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { Graph } from '../graph.ts';
import { add, mul } from '../ops/elementwise.ts';

export const executionProviders = ['cpu', 'webgpu', 'cuda', 'dml', 'coreml'] as const;
export type ExecutionProvider = (typeof executionProviders)[number];
export type DeviceChoice = 'auto' | ExecutionProvider;

/** GPU providers in the order `auto` prefers them (CUDA kernels cover the most training ops). */
const gpuPreference: readonly ExecutionProvider[] = ['cuda', 'webgpu', 'dml', 'coreml'];

export interface ProviderProbe {
  provider: ExecutionProvider;
  /** onnxruntime-node's listSupportedBackends() names it on this platform */
  listed: boolean;
  /** its binaries ship inside the npm package (CUDA is an opt-in download) */
  bundled: boolean;
  /** a tiny session created, ran and returned the right values */
  works: boolean;
  /**
   * runs, but on a software rasteriser (SwiftShader's Vulkan driver): the same code path as a
   * GPU, useful for tests, slower than the CPU provider, so `auto` never picks it
   */
  software: boolean;
  /** why it does not work (error text), or what it runs on */
  reason: string;
  /** session creation + one run, milliseconds */
  ms: number;
}

export interface DeviceProbe {
  platform: string;
  arch: string;
  cores: number;
  onnxruntime: string;
  providers: ProviderProbe[];
}

export interface Device {
  provider: ExecutionProvider;
  /** intra-op threads of every session on this device */
  threads: number;
  /** why this provider: shown to the user and stored with the run */
  reason: string;
}

export class DeviceUnavailable extends Error {
  constructor(
    readonly provider: ExecutionProvider,
    readonly reason: string,
  ) {
    super(`execution provider ${provider} is not available on this machine: ${reason}`);
    this.name = 'DeviceUnavailable';
  }
}

const probes = new Map<ExecutionProvider, Promise<ProviderProbe>>();

/** Probes every provider once per process (later calls answer from the cache). */
export async function probeDevices(): Promise<DeviceProbe> {
  return {
    platform: process.platform,
    arch: process.arch,
    cores: os.availableParallelism(),
    onnxruntime: ort.env.versions.node ?? 'unknown',
    providers: await Promise.all(executionProviders.map(probeProvider)),
  };
}

export function probeProvider(provider: ExecutionProvider): Promise<ProviderProbe> {
  let probe = probes.get(provider);
  if (!probe) {
    probe = runProbe(provider);
    probes.set(provider, probe);
  }
  return probe;
}

/**
 * Picks the provider for a run. `auto` takes the first GPU provider that probed OK (hardware,
 * not software) and otherwise the CPU, saying why; a named provider must have probed OK.
 */
export async function resolveDevice(
  choice: DeviceChoice = 'auto',
  options: { threads?: number } = {},
): Promise<Device> {
  const threads = options.threads ?? os.availableParallelism();
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`threads must be a positive integer, got ${threads}`);
  if (choice !== 'auto') {
    const probe = await probeProvider(choice);
    if (!probe.works) throw new DeviceUnavailable(choice, probe.reason);
    return { provider: choice, threads, reason: `${choice} chosen; ${probe.reason}` };
  }
  const skipped: string[] = [];
  for (const provider of gpuPreference) {
    const probe = await probeProvider(provider);
    if (probe.works && !probe.software) {
      return { provider, threads, reason: `auto: ${provider} works (${probe.reason})` };
    }
    skipped.push(
      `${provider}: ${probe.works ? 'software rendering only, slower than the CPU' : probe.reason}`,
    );
  }
  return {
    provider: 'cpu',
    threads,
    reason: `auto: no GPU provider works here, using cpu (${skipped.join('; ')})`,
  };
}

async function runProbe(provider: ExecutionProvider): Promise<ProviderProbe> {
  const backends = ort.listSupportedBackends();
  const listedAs = backends.find((b) => b.name === provider);
  const base = { provider, listed: !!listedAs, bundled: listedAs?.bundled ?? false, software: false };
  const start = performance.now();
  const result = (works: boolean, reason: string, software = false): ProviderProbe => ({
    ...base,
    works,
    software,
    reason,
    ms: Math.round(performance.now() - start),
  });
  if (!listedAs) {
    return result(
      false,
      `onnxruntime-node ${ort.env.versions.node} has no ${provider} backend on ${platformName()}`,
    );
  }
  const missing = missingLibraries(provider);
  if (missing) return result(false, missing);
  try {
    const session = await ort.InferenceSession.create(probeModel(), {
      executionProviders: [provider],
      intraOpNumThreads: 1,
      logSeverityLevel: 3,
    });
    try {
      const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [4]);
      const y = (await session.run({ x })).y.data as Float32Array;
      const expected = [3, 5, 7, 9];
      if (expected.some((v, i) => y[i] !== v)) {
        return result(false, `a probe session ran but returned [${[...y]}] instead of [${expected}]`);
      }
    } finally {
      await session.release();
    }
  } catch (error) {
    const reason = firstLine(error);
    if (provider === 'webgpu' && process.platform === 'linux') {
      return result(false, `${reason} (Vulkan drivers: ${vulkanDrivers() || 'the system defaults'})`);
    }
    return result(false, reason);
  }
  if (provider === 'webgpu') {
    const icd = vulkanDrivers();
    if (/swiftshader/i.test(icd))
      return result(true, `Vulkan through SwiftShader (${icd}), on the CPU`, true);
    return result(true, icd ? `Vulkan driver ${icd}` : 'the system WebGPU adapter');
  }
  return result(true, provider === 'cpu' ? `${os.availableParallelism()} cores` : 'a probe session ran');
}

/** y = 2x + 1: enough to tell a working provider from one that loads and then fails. */
function probeModel(): Uint8Array {
  const g = new Graph('device-probe');
  const x = g.input('x', [4]);
  g.output('y', add(mul(x, 2), 1));
  return g.toModel();
}

/**
 * CUDA's provider libraries are an opt-in download at install; loading the provider without
 * them fails with a bare "Failed to load shared library" (and a log line on stderr), so say
 * what is missing and how to get it instead.
 */
function missingLibraries(provider: ExecutionProvider): string | null {
  if (provider !== 'cuda') return null;
  const require = createRequire(import.meta.url);
  const binding = path.join(
    path.dirname(require.resolve('onnxruntime-node/package.json')),
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
  const library =
    process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  if (existsSync(path.join(binding, library))) return null;
  return `the CUDA provider libraries are not installed (${library} is absent from ${binding}; install onnxruntime-node with --onnxruntime-node-install=cuda12)`;
}

function vulkanDrivers(): string {
  return process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES ?? '';
}

function platformName(): string {
  const names: Record<string, string> = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' };
  return `${names[process.platform] ?? process.platform} ${process.arch}`;
}

/** The error's first line, without the source location and condition onnxruntime prefixes it with. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .trim()
    .split('\n')[0]
    .replace(/^\/onnxruntime_src\/.*? was false\. /, '');
}
