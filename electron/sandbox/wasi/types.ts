// The public contract of our wasi_snapshot_preview1 (re-exported from index.ts).

export interface WasiMount {
  /** Where the guest sees it, e.g. "/project". */
  guestPath: string;
  /** Canonical host directory. */
  hostPath: string;
  readOnly: boolean;
  /** Bytes the mount may hold, and what it holds now (counted by the caller once, at start; quota.ts). */
  quota?: { limitBytes: number; usedBytes: number };
  /** Host folders under the mount the guest must not see (the app's config dir, other plugins). */
  hidden?: string[];
}

export interface WasiOptions {
  /** argv, program name first. */
  args: string[];
  /** The exact environment (nothing inherited). */
  env: Record<string, string>;
  /** Preopened directories, given fds 3, 4, ... in this order. */
  mounts: WasiMount[];
  /** true: real wall/monotonic clocks. false: a virtual clock driven by `virtualNanos` and requested sleeps. */
  realClock: boolean;
  /** true: crypto random. false: a deterministic stream from `randomSeed`. */
  realRandom: boolean;
  randomSeed?: string;
  /** Monotonic nanoseconds for the virtual clock (e.g. derived from fuel used). */
  virtualNanos?: () => bigint;
  /** Called once, the first time a mount's quota refuses a write (the run's log says why). */
  onQuotaFull?: (guestPath: string, limitBytes: number) => void;
  /** Called after each regular file is opened (the run's "what it touched" report), with the path as the guest sees it. */
  onOpen?: (mount: string, guestPath: string, access: 'read' | 'write') => void;
  stdout(bytes: Uint8Array): void;
  stderr(bytes: Uint8Array): void;
}

/** Thrown by proc_exit; the runtime catches it and ends the run with `code`. */
export class WasiExit extends Error {
  constructor(readonly code: number) {
    super(`proc_exit(${code})`);
    this.name = 'WasiExit';
  }
}

export interface Wasi {
  /** The functions of import module "wasi_snapshot_preview1". */
  readonly imports: Record<string, (...args: never[]) => unknown>;
  /** Call after instantiation with the module's exported memory. */
  setMemory(memory: WebAssembly.Memory): void;
  /** Closes every host fd this instance opened. */
  close(): void;
}
