import type { ImportSession } from '../workspace/types.ts';

/** Relations handed to the session per call: large enough to amortise the call, small enough to stay in cache. */
const batchRows = 1 << 16;

/** Buffers the relations of one relation type in typed arrays and hands them to the session in file order. */
export class RelationBatch {
  private source = new Int32Array(batchRows);
  private target = new Int32Array(batchRows);
  private time = new Float64Array(batchRows);
  private weight = new Float64Array(batchRows);
  private length = 0;
  private anyTime = false;
  private anyWeight = false;
  /** relations written so far */
  count = 0;

  constructor(
    private readonly session: ImportSession,
    readonly relationType: string,
  ) {}

  /** Adds one relation; NaN time or weight means absent. */
  push(source: number, target: number, time: number, weight: number): void {
    const i = this.length++;
    this.source[i] = source;
    this.target[i] = target;
    this.time[i] = time;
    this.weight[i] = weight;
    if (!Number.isNaN(time)) this.anyTime = true;
    if (!Number.isNaN(weight)) this.anyWeight = true;
    if (this.length === batchRows) this.flush();
  }

  flush(): void {
    if (this.length === 0) return;
    const n = this.length;
    this.session.addRelations(
      this.relationType,
      this.source.subarray(0, n),
      this.target.subarray(0, n),
      this.anyTime ? this.time.subarray(0, n) : null,
      this.anyWeight ? this.weight.subarray(0, n) : null,
    );
    this.count += n;
    this.length = 0;
    this.anyTime = false;
    this.anyWeight = false;
  }
}
