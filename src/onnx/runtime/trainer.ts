// Runs a compiled train Program step after step. Parameters and optimizer state are held as
// onnxruntime tensors and each step's updated values are fed straight back as the next step's
// inputs: on WebGPU they stay in GPU buffers (only the scalars come back to JS), on the CPU they
// are the previous step's output tensors. An attached eval Program reads the same tensors, and so
// do variants: other train Programs over the same parameters and state at other batch shapes
// (BERT4Rec's short-sequence step), so one optimizer trains through whichever step fits a batch.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type ort from 'onnxruntime-node';
import type { HostArray } from '../dtype.ts';
import type { Program, TensorSpec } from '../program.ts';
import { type Device, type DeviceChoice, resolveDevice } from './devices.ts';
import { type ProfileSummary, readProfile } from './profile.ts';
import { checkValues, createSession, DeviceTransfer, hostTensor, hostValues } from './session.ts';

/** Values fed per step, by batch input name. */
export type Batch = Record<string, HostArray>;

export interface StepResult {
  loss: number;
  /** the Program's other scalars */
  metrics: Record<string, number>;
}

export interface EvalResult {
  scalars: Record<string, number>;
  outputs: Record<string, HostArray>;
}

export interface TrainerOptions {
  device?: DeviceChoice;
  /** intra-op threads; default the machine's cores */
  threads?: number;
  /** record an onnxruntime profile of the train session (see `profile()`) */
  profile?: boolean;
  /**
   * Other train Programs with exactly the program's parameters and optimizer state (other batch
   * shapes of the same model); `step(batch, k)` runs variant k (1-based; 0 is the program).
   */
  variants?: Program[];
}

/** Everything a checkpoint needs to continue the run. */
export interface TrainerSnapshot {
  step: number;
  parameters: Record<string, HostArray>;
  state: Record<string, HostArray>;
}

interface Attached {
  program: Program;
  session: ort.InferenceSession;
}

interface Step extends Attached {
  /** what a step fetches: the scalars, then the updated parameters and state */
  fetches: string[];
}

export class Trainer {
  /** steps taken (restored from checkpoints) */
  stepCount = 0;
  private readonly parameters_ = new Map<string, ort.Tensor>();
  private readonly state_ = new Map<string, ort.Tensor>();
  private evaluation: Attached | null = null;
  private released = false;

  private constructor(
    readonly program: Program,
    readonly device: Device,
    /** the program's step, then each variant's */
    private readonly steps: Step[],
    private readonly transfer: DeviceTransfer,
    private readonly profileDir: string | null,
  ) {}

  static async create(program: Program, options: TrainerOptions = {}): Promise<Trainer> {
    checkTrainProgram(program);
    const variants = options.variants ?? [];
    for (const variant of variants) {
      checkTrainProgram(variant);
      checkSameTensors(program, variant);
    }
    const device = await resolveDevice(options.device ?? 'auto', { threads: options.threads });
    const profileDir = options.profile ? mkdtempSync(path.join(os.tmpdir(), 'constellation-profile-')) : null;
    const steps: Step[] = [];
    try {
      for (const [k, p] of [program, ...variants].entries()) {
        const updates = [
          ...p.parameters.flatMap((q) => (q.updatedBy ? [q.updatedBy] : [])),
          ...p.state.map((s) => s.updatedBy),
        ];
        const session = await createSession(p.model, device, {
          residentOutputs: updates,
          // only the program's own step is profiled
          profilePrefix: profileDir && k === 0 ? path.join(profileDir, 'train') : undefined,
        });
        steps.push({ program: p, session, fetches: [...p.scalars, ...updates] });
        checkSessionNames(p, session);
      }
    } catch (error) {
      for (const { session } of steps) await session.release();
      throw error;
    }
    const trainer = new Trainer(program, device, steps, new DeviceTransfer(device), profileDir);
    await trainer.setParameters(Object.fromEntries(program.parameters.map((p) => [p.name, p.init])));
    await trainer.setOptimizerState(Object.fromEntries(program.state.map((s) => [s.name, s.init])));
    return trainer;
  }

  /**
   * One training step through the program (or variant `variant`): feeds the batch, swaps in the
   * updated parameters and state, returns the scalars.
   */
  async step(batch: Batch, variant = 0): Promise<StepResult> {
    this.checkOpen();
    const step = this.steps[variant];
    if (!step) throw new Error(`step: no variant ${variant} (this trainer has ${this.steps.length - 1})`);
    const { program, session, fetches } = step;
    const feeds: Record<string, ort.Tensor> = { ...batchFeeds(program.batch, batch) };
    for (const [name, t] of this.parameters_) feeds[name] = t;
    for (const [name, t] of this.state_) feeds[name] = t;
    const out = await session.run(feeds, fetches);
    for (const p of program.parameters) if (p.updatedBy) replace(this.parameters_, p.name, out[p.updatedBy]);
    for (const s of program.state) replace(this.state_, s.name, out[s.updatedBy]);
    this.stepCount++;
    const scalars = readScalars(program.scalars, out);
    const { loss, ...metrics } = scalars;
    return { loss, metrics };
  }

  /** Attaches an eval Program; its parameters must be parameters of the train Program (same name, shape, dtype). */
  async attachEval(program: Program): Promise<void> {
    this.checkOpen();
    if (program.kind !== 'eval')
      throw new Error(`attachEval: expected an eval program, got a ${program.kind} program`);
    for (const p of program.parameters) {
      const own = this.program.parameters.find((q) => q.name === p.name);
      if (!own) throw new Error(`eval program parameter ${p.name} is not a parameter of the train program`);
      if (own.dtype !== p.dtype || own.shape.join() !== p.shape.join()) {
        throw new Error(
          `eval program parameter ${p.name} is ${p.dtype}[${p.shape}] but the train program has ${own.dtype}[${own.shape}]`,
        );
      }
    }
    const session = await createSession(program.model, this.device);
    checkSessionNames(program, session);
    await this.evaluation?.session.release();
    this.evaluation = { program, session };
  }

  /** Runs the attached eval Program on the current parameters; every output comes back to the host. */
  async evaluate(batch: Batch): Promise<EvalResult> {
    this.checkOpen();
    if (!this.evaluation) throw new Error('evaluate: no eval program attached (call attachEval first)');
    const { program, session } = this.evaluation;
    const feeds: Record<string, ort.Tensor> = { ...batchFeeds(program.batch, batch) };
    for (const p of program.parameters) feeds[p.name] = this.parameters_.get(p.name)!;
    const out = await session.run(feeds, [...program.scalars, ...program.outputs.map((o) => o.name)]);
    return {
      scalars: readScalars(program.scalars, out),
      outputs: Object.fromEntries(program.outputs.map((o) => [o.name, hostValues(out[o.name])])),
    };
  }

  /** Host copies of the current parameters, by name. */
  async parameters(): Promise<Record<string, Float32Array | Float64Array>> {
    this.checkOpen();
    return (await this.read(this.program.parameters, this.parameters_)) as Record<
      string,
      Float32Array | Float64Array
    >;
  }

  /** Replaces some or all parameters (names and shapes as in the Program). */
  async setParameters(values: Record<string, HostArray>): Promise<void> {
    this.checkOpen();
    await this.write(this.program.parameters, this.parameters_, values, 'parameter');
  }

  async optimizerState(): Promise<Record<string, HostArray>> {
    this.checkOpen();
    return this.read(this.program.state, this.state_);
  }

  async setOptimizerState(values: Record<string, HostArray>): Promise<void> {
    this.checkOpen();
    await this.write(this.program.state, this.state_, values, 'optimizer state');
  }

  async snapshot(): Promise<TrainerSnapshot> {
    return { step: this.stepCount, parameters: await this.parameters(), state: await this.optimizerState() };
  }

  async restore(snapshot: TrainerSnapshot): Promise<void> {
    const missing = [
      ...this.program.parameters
        .filter((p) => !(p.name in snapshot.parameters))
        .map((p) => `parameter ${p.name}`),
      ...this.program.state
        .filter((s) => !(s.name in snapshot.state))
        .map((s) => `optimizer state ${s.name}`),
    ];
    if (missing.length) throw new Error(`restore: the snapshot lacks ${missing.join(', ')}`);
    await this.setParameters(snapshot.parameters);
    await this.setOptimizerState(snapshot.state);
    this.stepCount = snapshot.step;
  }

  /** Where each parameter and state tensor lives now ('cpu' or 'gpu-buffer'). */
  locations(): Record<string, string> {
    return Object.fromEntries([...this.parameters_, ...this.state_].map(([name, t]) => [name, t.location]));
  }

  /**
   * Ends profiling and returns the per-op breakdown of every step so far (the Trainer must have
   * been created with `profile: true`; profiling stays off afterwards).
   */
  async profile(scopeDepth = 2): Promise<ProfileSummary> {
    this.checkOpen();
    if (!this.profileDir) throw new Error('profile: the trainer was created without profile: true');
    await this.steps[0].session.endProfiling();
    const file = readdirSync(this.profileDir).find((f) => f.endsWith('.json'));
    if (!file) throw new Error(`profile: onnxruntime wrote no profile under ${this.profileDir}`);
    return readProfile(path.join(this.profileDir, file), scopeDepth);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    for (const t of [...this.parameters_.values(), ...this.state_.values()]) disposeOnDevice(t);
    this.parameters_.clear();
    this.state_.clear();
    await this.evaluation?.session.release();
    for (const { session } of this.steps) await session.release();
    await this.transfer.release();
    if (this.profileDir) rmSync(this.profileDir, { recursive: true, force: true });
  }

  private async read(
    specs: readonly TensorSpec[],
    held: Map<string, ort.Tensor>,
  ): Promise<Record<string, HostArray>> {
    const values = await this.transfer.download(
      specs,
      specs.map((s) => held.get(s.name)!),
    );
    return Object.fromEntries(specs.map((s, i) => [s.name, values[i]]));
  }

  private async write(
    specs: readonly TensorSpec[],
    held: Map<string, ort.Tensor>,
    values: Record<string, HostArray>,
    what: string,
  ): Promise<void> {
    for (const name of Object.keys(values)) {
      if (!specs.some((s) => s.name === name)) throw new Error(`${name} is not a ${what} of this program`);
    }
    const chosen = specs.filter((s) => s.name in values);
    const tensors = await this.transfer.upload(
      chosen,
      chosen.map((s) => values[s.name]),
    );
    chosen.forEach((s, i) => {
      replace(held, s.name, tensors[i]);
    });
  }

  private checkOpen(): void {
    if (this.released) throw new Error('this trainer was released');
  }
}

function checkTrainProgram(program: Program): void {
  if (program.kind !== 'train')
    throw new Error(`Trainer: expected a train program, got a ${program.kind} program`);
  if (!program.scalars.includes('loss')) throw new Error('Trainer: the train program has no `loss` scalar');
  for (const p of program.parameters) {
    if (p.trainable && !p.updatedBy)
      throw new Error(`Trainer: trainable parameter ${p.name} has no updatedBy output`);
  }
}

/** A variant must read and update exactly the program's parameters and state, or steps would lose some. */
function checkSameTensors(program: Program, variant: Program): void {
  const describe = (p: Program) =>
    [
      ...p.parameters.map((q) => `parameter ${q.name} ${q.dtype}[${q.shape}]${q.updatedBy ? '' : ' frozen'}`),
      ...p.state.map((s) => `optimizer state ${s.name} ${s.dtype}[${s.shape}]`),
    ].sort();
  const own = describe(program);
  const theirs = describe(variant);
  const differ = [
    ...theirs.filter((t) => !own.includes(t)).map((t) => `${t} (only in the variant)`),
    ...own.filter((t) => !theirs.includes(t)).map((t) => `${t} (only in the program)`),
  ];
  if (differ.length) throw new Error(`Trainer: a variant differs from the program: ${differ.join(', ')}`);
}

function checkSessionNames(program: Program, session: ort.InferenceSession): void {
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  const needIn = [...program.batch, ...program.parameters, ...program.state].map((t) => t.name);
  const needOut = [
    ...program.scalars,
    ...program.outputs.map((o) => o.name),
    ...program.parameters.flatMap((p) => (p.updatedBy ? [p.updatedBy] : [])),
    ...program.state.map((s) => s.updatedBy),
  ];
  const missing = [
    ...needIn.filter((n) => !inputs.has(n)).map((n) => `input ${n}`),
    ...needOut.filter((n) => !outputs.has(n)).map((n) => `output ${n}`),
  ];
  if (missing.length) throw new Error(`the ${program.kind} model lacks ${missing.join(', ')}`);
  const extra = [...inputs].filter((n) => !needIn.includes(n));
  if (extra.length)
    throw new Error(`the ${program.kind} model has inputs the program does not name: ${extra.join(', ')}`);
}

function batchFeeds(specs: readonly TensorSpec[], batch: Batch): Record<string, ort.Tensor> {
  for (const name of Object.keys(batch)) {
    if (!specs.some((s) => s.name === name))
      throw new Error(`batch: ${name} is not an input of this program`);
  }
  return Object.fromEntries(
    specs.map((spec) => {
      checkValues(spec, batch[spec.name]);
      return [spec.name, hostTensor(spec, batch[spec.name])];
    }),
  );
}

function readScalars(names: readonly string[], out: Record<string, ort.Tensor>): Record<string, number> {
  return Object.fromEntries(names.map((n) => [n, Number(out[n].data[0])]));
}

/** Swaps a held tensor, freeing the old one's GPU buffer (host tensors are left to the GC). */
function replace(held: Map<string, ort.Tensor>, name: string, next: ort.Tensor): void {
  const old = held.get(name);
  held.set(name, next);
  if (old && old !== next) disposeOnDevice(old);
}

function disposeOnDevice(t: ort.Tensor): void {
  if (t.location === 'gpu-buffer') t.dispose();
}
