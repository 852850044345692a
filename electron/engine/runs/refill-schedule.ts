// When a pool of spare sandbox processes fills up again: at once when a spare is gone (taken by a
// run that ended, or dead), or a while after one was handed to a run that is still going (so a burst
// of runs does not fork a spare per run at once). Shared by the engine's pool and Electron's spares.

export class RefillSchedule {
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly refill: () => void,
    private readonly delayMs: number,
  ) {}

  /** Refills on the next turn of the event loop (a pending delayed refill is folded into it). */
  soon(): void {
    if (this.closed) return;
    this.cancelTimer();
    setImmediate(() => this.refill());
  }

  /** Refills after the delay, unless one is already due; never keeps the process alive. */
  later(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refill();
    }, this.delayMs);
    this.timer.unref();
  }

  /** No more refills. */
  close(): void {
    this.closed = true;
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
