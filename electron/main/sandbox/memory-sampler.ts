// ONE sampler of app.getAppMetrics() for every sandbox process: a single timer reads the metrics of
// all processes at once (one call, not one per run) and reports each watched process whose working
// set is over its cap. It runs only while something is watched.

import type { ProcessMetricLike } from './utility-api.js';

export interface MemoryWatch {
  /** Bytes. */
  capBytes: number;
  onOver(rssBytes: number): void;
}

export class MemorySampler {
  private readonly watched = new Map<number, MemoryWatch>();
  private timer: NodeJS.Timeout | null = null;
  /** Samples taken (for tests and diagnostics). */
  samples = 0;

  constructor(
    private readonly metrics: () => ProcessMetricLike[],
    private readonly intervalMs = 250,
  ) {}

  /** Watches a process until unwatch(pid) or until it is reported over its cap (once). */
  watch(pid: number, watch: MemoryWatch): void {
    this.watched.set(pid, watch);
    if (!this.timer) {
      this.timer = setInterval(() => this.sample(), this.intervalMs);
      this.timer.unref();
    }
  }

  unwatch(pid: number): void {
    this.watched.delete(pid);
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** One pass over all watched processes (the timer calls this; tests may too). */
  sample(): void {
    if (this.watched.size === 0) return;
    this.samples++;
    let list: ProcessMetricLike[];
    try {
      list = this.metrics();
    } catch {
      return; // metrics unavailable this time (the app is quitting): try again next tick
    }
    for (const m of list) {
      const w = this.watched.get(m.pid);
      if (!w) continue;
      const bytes = m.memory.workingSetSize * 1024;
      if (bytes > w.capBytes) {
        this.unwatch(m.pid);
        w.onOver(bytes);
      }
    }
  }
}
