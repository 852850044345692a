// A tiny test-only WASI preview 1 shim: enough to run small C programs compiled with wasi-libc.
// stdout/stderr go to buffers, no args or environment, a fixed clock, deterministic "random" bytes.
// NOT a sandbox and not the real WASI (that lives in electron/sandbox/wasi/).

export class WasiExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const ENOSYS = 52;
const EBADF = 8;

export interface WasiShim {
  imports: WebAssembly.Imports;
  stdout(): string;
  stderr(): string;
  setMemory(memory: WebAssembly.Memory): void;
}

export function wasiShim(module: WebAssembly.Module): WasiShim {
  let memory: WebAssembly.Memory | undefined;
  const out: number[][] = [[], [], []];
  const view = () => new DataView(memory!.buffer);
  const impl: Record<string, (...args: number[]) => number> = {
    fd_write(fd, iovs, iovsLen, nwritten) {
      if (fd !== 1 && fd !== 2) return EBADF;
      const v = view();
      const bytes = new Uint8Array(memory!.buffer);
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = v.getUint32(iovs + i * 8, true);
        const len = v.getUint32(iovs + i * 8 + 4, true);
        for (let j = 0; j < len; j++) out[fd]!.push(bytes[ptr + j]!);
        total += len;
      }
      v.setUint32(nwritten, total, true);
      return 0;
    },
    proc_exit(code) {
      throw new WasiExit(code);
    },
    args_sizes_get(argc, bufSize) {
      view().setUint32(argc, 0, true);
      view().setUint32(bufSize, 0, true);
      return 0;
    },
    args_get: () => 0,
    environ_sizes_get(count, bufSize) {
      view().setUint32(count, 0, true);
      view().setUint32(bufSize, 0, true);
      return 0;
    },
    environ_get: () => 0,
    clock_time_get(_id, _precision, out) {
      view().setBigUint64(out, 1_700_000_000_000_000_000n, true);
      return 0;
    },
    random_get(buf, len) {
      const b = new Uint8Array(memory!.buffer, buf, len);
      for (let i = 0; i < len; i++) b[i] = (i * 31 + 7) & 0xff;
      return 0;
    },
    fd_fdstat_get(fd, stat) {
      if (fd > 2) return EBADF;
      const v = view();
      for (let i = 0; i < 24; i++) v.setUint8(stat + i, 0);
      v.setUint8(stat, 2); // character device
      return 0;
    },
    fd_close: () => 0,
    fd_seek: () => ENOSYS,
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => EBADF,
  };
  const wasi: Record<string, Function> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'wasi_snapshot_preview1') continue;
    // Every argument arrives as a number except 64-bit ones (BigInt); the shim ignores those where unused.
    wasi[imp.name] = impl[imp.name] ?? (() => ENOSYS);
  }
  const text = (fd: number) => new TextDecoder().decode(new Uint8Array(out[fd]!));
  return {
    imports: { wasi_snapshot_preview1: wasi as WebAssembly.ModuleImports },
    stdout: () => text(1),
    stderr: () => text(2),
    setMemory(m) {
      memory = m;
    },
  };
}

export interface WasiRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Fuel used (budget minus what is left), when run metered. */
  fuelUsed?: bigint;
  fuelLeft?: bigint;
  error?: unknown;
}

/** Instantiates and runs `_start`; when `fuel` is given, the module is expected to be metered. */
export function runWasi(bytes: Uint8Array, fuel?: bigint): WasiRun {
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const shim = wasiShim(module);
  const imports: WebAssembly.Imports = { ...shim.imports };
  let global: WebAssembly.Global<'i64'> | undefined;
  if (fuel !== undefined) {
    global = new WebAssembly.Global({ value: 'i64', mutable: true }, fuel);
    imports.fledge_fuel = { remaining: global };
  }
  const instance = new WebAssembly.Instance(module, imports);
  shim.setMemory(instance.exports.memory as WebAssembly.Memory);
  let exitCode = 0;
  let error: unknown;
  try {
    (instance.exports._start as () => void)();
  } catch (e) {
    if (e instanceof WasiExit) exitCode = e.code;
    else error = e;
  }
  const run: WasiRun = { exitCode, stdout: shim.stdout(), stderr: shim.stderr() };
  if (error !== undefined) run.error = error;
  if (global && fuel !== undefined) {
    run.fuelLeft = global.value;
    run.fuelUsed = fuel - global.value;
  }
  return run;
}
