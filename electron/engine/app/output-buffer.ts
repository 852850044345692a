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

export class OutputBuffer {
  readonly events: KeptEvent[] = [];
  total = 0;
  truncated = false;
  private chars = 0;

  constructor(private readonly cap: OutputCap = DEFAULT_OUTPUT_CAP) {}

  push(events: readonly KeptEvent[]): void {
    for (const e of events) {
      this.total += 1;
      const size = sizeOf(e);
      if (
        e.type !== 'exit' &&
        (this.events.length >= this.cap.maxEvents || this.chars + size > this.cap.maxChars)
      ) {
        this.truncated = true;
        continue;
      }
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
