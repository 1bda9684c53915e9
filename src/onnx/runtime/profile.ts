// Per-op time breakdown from onnxruntime's profile (a Chrome trace JSON). Node names carry the
// model's scopes (`encoder/layer0/attention/MatMul`, `grad/encoder/...`), so summing by name
// prefix shows which part of the model, forward or backward, the time goes to.
import { readFileSync } from 'node:fs';

export interface ProfileLine {
  key: string;
  /** total kernel time over all profiled runs, milliseconds */
  ms: number;
  /** kernel launches over all profiled runs */
  calls: number;
  /** share of all kernel time, 0..1 */
  share: number;
}

export interface ProfileSummary {
  /** session runs profiled (training steps, plus parameter reads when they share the session) */
  runs: number;
  /** sum of kernel times, milliseconds */
  kernelMs: number;
  /** sum of whole-run times, milliseconds (kernel time plus scheduling and copies) */
  runMs: number;
  byOpType: ProfileLine[];
  /** by the first `scopeDepth` parts of the node name */
  byScope: ProfileLine[];
  byProvider: ProfileLine[];
  scopeDepth: number;
}

interface TraceEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string; provider?: string };
}

export function readProfile(file: string, scopeDepth = 2): ProfileSummary {
  const events = JSON.parse(readFileSync(file, 'utf8')) as TraceEvent[];
  if (!Array.isArray(events))
    throw new Error(`${file}: not an onnxruntime profile (expected a JSON array of events)`);
  return summarizeProfile(events, scopeDepth);
}

export function summarizeProfile(events: readonly TraceEvent[], scopeDepth = 2): ProfileSummary {
  const byOpType = new Map<string, { us: number; calls: number }>();
  const byScope = new Map<string, { us: number; calls: number }>();
  const byProvider = new Map<string, { us: number; calls: number }>();
  let kernelUs = 0;
  let runUs = 0;
  let runs = 0;
  for (const e of events) {
    if (e.cat === 'Session' && e.name === 'model_run') {
      runs++;
      runUs += e.dur ?? 0;
    }
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time')) continue;
    const us = e.dur ?? 0;
    kernelUs += us;
    const node = e.name.slice(0, -'_kernel_time'.length);
    add(byOpType, e.args?.op_name ?? 'unknown', us);
    add(byScope, scopeOf(node, scopeDepth), us);
    add(byProvider, e.args?.provider ?? 'unknown', us);
  }
  const lines = (m: Map<string, { us: number; calls: number }>) =>
    [...m.entries()]
      .map(([key, v]) => ({ key, ms: v.us / 1000, calls: v.calls, share: kernelUs ? v.us / kernelUs : 0 }))
      .sort((a, b) => b.ms - a.ms);
  return {
    runs,
    kernelMs: kernelUs / 1000,
    runMs: runUs / 1000,
    byOpType: lines(byOpType),
    byScope: lines(byScope),
    byProvider: lines(byProvider),
    scopeDepth,
  };
}

/**
 * A node's scope: its name without the last part, cut to `depth` parts (`(top level)` when none).
 * onnxruntime names a node it fused from others `fused <first node's name>`; the scope is that node's.
 */
function scopeOf(node: string, depth: number): string {
  const parts = node
    .replace(/^fused /, '')
    .split('/')
    .slice(0, -1);
  return parts.length ? parts.slice(0, depth).join('/') : '(top level)';
}

function add(m: Map<string, { us: number; calls: number }>, key: string, us: number): void {
  const v = m.get(key) ?? { us: 0, calls: 0 };
  v.us += us;
  v.calls++;
  m.set(key, v);
}

/** A fixed-width table for the terminal (the engine benchmark's `--profile`). */
export function formatProfile(summary: ProfileSummary, top = 15): string {
  const perRun = (ms: number) => (summary.runs ? ms / summary.runs : ms).toFixed(3);
  const section = (title: string, lines: ProfileLine[]) => [
    `${title.padEnd(48)} ${'ms/run'.padStart(10)} ${'share'.padStart(7)} ${'calls/run'.padStart(10)}`,
    ...lines
      .slice(0, top)
      .map(
        (l) =>
          `  ${l.key.slice(0, 46).padEnd(46)} ${perRun(l.ms).padStart(10)} ${`${(l.share * 100).toFixed(1)}%`.padStart(7)} ${(summary.runs ? l.calls / summary.runs : l.calls).toFixed(0).padStart(10)}`,
      ),
  ];
  return [
    `${summary.runs} runs, kernels ${perRun(summary.kernelMs)} ms/run of ${perRun(summary.runMs)} ms/run`,
    ...section('by op type', summary.byOpType),
    ...section(`by scope (depth ${summary.scopeDepth})`, summary.byScope),
    ...section('by provider', summary.byProvider),
  ].join('\n');
}
