// Clocks: the real ones when granted, otherwise a virtual clock that starts at a fixed epoch and
// advances only with `virtualNanos()` and with sleeps requested through poll_oneoff.
import { Clockid } from './constants.js';
import { Errno, WasiError } from './errno.js';

/** 2024-01-01T00:00:00Z: where the virtual wall clock starts. */
export const VIRTUAL_EPOCH_NS = 1_704_067_200n * 1_000_000_000n;

export interface Clock {
  /** Current time of `id` in nanoseconds. */
  now(id: number): bigint;
  resolution(id: number): bigint;
  /** Blocks (real) or advances (virtual) for `ns` nanoseconds. */
  sleep(ns: bigint): void;
}

function checkId(id: number): void {
  if (id !== Clockid.REALTIME && id !== Clockid.MONOTONIC && id !== Clockid.PROCESS_CPUTIME_ID) {
    if (id !== Clockid.THREAD_CPUTIME_ID) throw new WasiError(Errno.INVAL);
  }
}

let sleepCell: Int32Array | undefined;

function blockFor(ns: bigint): void {
  if (ns <= 0n) return;
  sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
  // Atomics.wait takes milliseconds (fractional allowed); sleep in chunks to stay interruptible.
  let remaining = Number(ns) / 1e6;
  while (remaining > 0) {
    const chunk = Math.min(remaining, 1000);
    Atomics.wait(sleepCell, 0, 0, chunk);
    remaining -= chunk;
  }
}

export function realClock(): Clock {
  const start = process.hrtime.bigint();
  const wallBase = BigInt(Date.now()) * 1_000_000n - start;
  return {
    now(id) {
      checkId(id);
      const mono = process.hrtime.bigint();
      if (id === Clockid.REALTIME) return mono + wallBase;
      if (id === Clockid.MONOTONIC) return mono;
      const cpu = process.cpuUsage();
      return BigInt(cpu.user + cpu.system) * 1000n;
    },
    resolution(id) {
      checkId(id);
      return id === Clockid.REALTIME || id === Clockid.MONOTONIC ? 1n : 1000n;
    },
    sleep: blockFor,
  };
}

export function virtualClock(virtualNanos?: () => bigint): Clock {
  let slept = 0n;
  let ticks = 0n;
  // Without a driver the clock still moves forward deterministically: 1 us per reading.
  const base = virtualNanos ?? (() => ticks * 1000n);
  return {
    now(id) {
      checkId(id);
      ticks++;
      const mono = base() + slept;
      if (id === Clockid.REALTIME) return VIRTUAL_EPOCH_NS + mono;
      return mono;
    },
    resolution(id) {
      checkId(id);
      return 1000n;
    },
    sleep(ns) {
      if (ns > 0n) slept += ns;
    },
  };
}
