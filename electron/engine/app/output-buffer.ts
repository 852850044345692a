/**
 * A run's events as kept for catching up and for history: every event up to a cap (count and text
 * size), then only the end; `truncated` says when something was left out.
 */
import type { RunEvent } from '../../sandbox/protocol.js';

export interface OutputCap {
  maxEvents: number;
  /** Characters of text (output, log messages, stderr lines) kept in all. */
  maxChars: number;
}

export const DEFAULT_OUTPUT_CAP: Readonly<OutputCap> = Object.freeze({
  maxEvents: 20_000,
  maxChars: 2_000_000,
});

/** Events of a run are kept as the contract describes them (the engine's, with a few more kinds). */
export type KeptEvent = RunEvent | { type: string; t: number; [k: string]: unknown };

function sizeOf(e: KeptEvent): number {
  const x = e as { text?: unknown; message?: unknown; line?: unknown; command?: unknown };
  let n = 32;
  for (const v of [x.text, x.message, x.line, x.command]) if (typeof v === 'string') n += v.length;
  return n;
}

/**
 * What the run's "what it touched" report and its status are made of: kept past the output cap (up
 * to their own cap), so a flood of output never pushes them out of the history.
 */
const REPORT_TYPES = new Set(['started', 'exec', 'file', 'denied', 'store', 'metadata', 'request', 'exit']);
export const MAX_REPORT_EVENTS = 5000;

export class OutputBuffer {
  readonly events: KeptEvent[] = [];
  total = 0;
  truncated = false;
  private chars = 0;
  private reportKept = 0;

  constructor(private readonly cap: OutputCap = DEFAULT_OUTPUT_CAP) {}

  push(events: readonly KeptEvent[]): void {
    for (const e of events) {
      this.total += 1;
      const size = sizeOf(e);
      const full = this.events.length >= this.cap.maxEvents || this.chars + size > this.cap.maxChars;
      const isReport = REPORT_TYPES.has(e.type);
      if (full && !(isReport && (e.type === 'exit' || this.reportKept < MAX_REPORT_EVENTS))) {
        this.truncated = true;
        continue;
      }
      if (isReport) this.reportKept += 1;
      this.chars += size;
      this.events.push(e);
    }
  }

  /** Events after the first `after` the run emitted (as far as they are kept). */
  since(after: number): KeptEvent[] {
    if (!this.truncated) return this.events.slice(after);
    // Once something was left out, positions no longer line up: give what is kept.
    return after === 0 ? [...this.events] : this.events.slice(Math.min(after, this.events.length));
  }
}
