// A monotonic clock in milliseconds for a run's own timing (when the sandbox worker wakes the controller,
// how long a run has lasted). process.hrtime, not performance.now(): the `performance` global loads Node's
// perf_hooks on first use: about 1.5 ms of CPU in each sandbox worker and once in the CLI (Node 20).

/** Milliseconds since an arbitrary fixed point, never going back. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
