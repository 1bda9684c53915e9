import type { ProgressMode } from './common-options.ts';

/** Redraws of the human progress line are capped, so a fast stream of events costs nothing. */
const redrawEveryMs = 100;

/**
 * Progress on stderr, never stdout (stdout holds the command's one result): a single line
 * redrawn in place, or one JSON object per line for programs that drive the CLI.
 */
export class ProgressLine {
  private lastDraw = 0;
  private shown = '';

  constructor(
    private readonly mode: ProgressMode,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(event: unknown, describe: (event: unknown) => string): void {
    if (this.mode === 'json') {
      this.stream.write(`${JSON.stringify({ progress: event })}\n`);
      return;
    }
    if (this.mode !== 'line') return;
    const now = performance.now();
    if (now - this.lastDraw < redrawEveryMs) return;
    this.lastDraw = now;
    this.draw(describe(event));
  }

  /** Ends the line so what follows starts on a fresh one. */
  finish(): void {
    if (this.shown) this.stream.write('\n');
    this.shown = '';
  }

  private draw(text: string): void {
    const width = this.stream.columns ? this.stream.columns - 1 : 120;
    const line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    // Pad over the previous text: not every stderr understands the erase-line escape.
    this.stream.write(`\r${line.padEnd(this.shown.length)}`);
    this.shown = line;
  }
}
