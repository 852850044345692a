// What every syscall family works with.
import type { Clock } from './clock.js';
import type { FdTable } from './fd-table.js';
import type { GuestMemory } from './memory.js';
import type { RandomSource } from './random.js';
import type { WasiOptions } from './types.js';

export interface WasiContext {
  mem: GuestMemory;
  fds: FdTable;
  clock: Clock;
  random: RandomSource;
  options: WasiOptions;
}

/** A syscall implementation: returns an errno (0 on success) or throws WasiError / a host error. */
export type Syscall = (...args: never[]) => number;
export type SyscallTable = Record<string, Syscall>;
