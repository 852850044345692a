// TEMPORARY minimal WASI preview 1, used ONLY while electron/sandbox/wasi/ (the full, capability-scoped
// WASI) is not implemented yet: createWasi there throws "not implemented" and runtime.ts falls back
// to this. Delete this file once the real WASI has landed.
//
// Args (program name only), empty environment, clocks, random, fd_write to stdout/stderr, proc_exit;
// no files at all (fd_prestat_get says EBADF, so libc finds no preopens); everything else ENOSYS.
import { createHash, randomFillSync } from 'node:crypto';
import { type Wasi, WasiExit, type WasiOptions } from './wasi/index.js';

const ESUCCESS = 0;
const EBADF = 8;
const EFAULT = 21;
const EINVAL = 28;
const ENOSYS = 52;
const ESPIPE = 70;

export function createFallbackWasi(options: WasiOptions): Wasi {
  let memory: WebAssembly.Memory | null = null;
  const encoder = new TextEncoder();
  const args = options.args.map((a) => encoder.encode(`${a}\0`));
  const start = process.hrtime.bigint();
  let virtualTicks = 0n;
  // Deterministic random: SHA-256 in counter mode over the seed.
  let counter = 0;
  let pool = new Uint8Array(0);
  let poolPos = 0;

  const mem = (): DataView => {
    if (!memory) throw new WebAssembly.RuntimeError('WASI called before the module memory is available');
    return new DataView(memory.buffer);
  };
  const inRange = (ptr: number, len: number): boolean => {
    if (!memory) return false;
    const p = ptr >>> 0;
    const l = len >>> 0;
    return p + l <= memory.buffer.byteLength;
  };
  const bytes = (ptr: number, len: number): Uint8Array =>
    new Uint8Array(memory!.buffer, ptr >>> 0, len >>> 0);

  const nowNanos = (id: number): bigint => {
    if (options.realClock) {
      if (id === 0) return BigInt(Date.now()) * 1_000_000n;
      return process.hrtime.bigint() - start;
    }
    if (options.virtualNanos) return options.virtualNanos();
    virtualTicks += 1000n;
    return virtualTicks;
  };

  const imports: Record<string, (...args: never[]) => unknown> = {
    args_sizes_get(argcPtr: number, sizePtr: number): number {
      if (!inRange(argcPtr, 4) || !inRange(sizePtr, 4)) return EFAULT;
      const dv = mem();
      dv.setUint32(argcPtr >>> 0, args.length, true);
      dv.setUint32(
        sizePtr >>> 0,
        args.reduce((n, a) => n + a.length, 0),
        true,
      );
      return ESUCCESS;
    },
    args_get(argvPtr: number, bufPtr: number): number {
      const total = args.reduce((n, a) => n + a.length, 0);
      if (!inRange(argvPtr, args.length * 4) || !inRange(bufPtr, total)) return EFAULT;
      const dv = mem();
      let at = bufPtr >>> 0;
      args.forEach((a, i) => {
        dv.setUint32((argvPtr >>> 0) + i * 4, at, true);
        bytes(at, a.length).set(a);
        at += a.length;
      });
      return ESUCCESS;
    },
    environ_sizes_get(countPtr: number, sizePtr: number): number {
      if (!inRange(countPtr, 4) || !inRange(sizePtr, 4)) return EFAULT;
      const dv = mem();
      dv.setUint32(countPtr >>> 0, 0, true);
      dv.setUint32(sizePtr >>> 0, 0, true);
      return ESUCCESS;
    },
    environ_get(): number {
      return ESUCCESS;
    },
    clock_res_get(id: number, resPtr: number): number {
      if (id < 0 || id > 3) return EINVAL;
      if (!inRange(resPtr, 8)) return EFAULT;
      mem().setBigUint64(resPtr >>> 0, 1000n, true);
      return ESUCCESS;
    },
    clock_time_get(id: number, _precision: bigint, timePtr: number): number {
      if (id < 0 || id > 3) return EINVAL;
      if (!inRange(timePtr, 8)) return EFAULT;
      mem().setBigUint64(timePtr >>> 0, nowNanos(id), true);
      return ESUCCESS;
    },
    random_get(bufPtr: number, len: number): number {
      if (!inRange(bufPtr, len)) return EFAULT;
      const out = bytes(bufPtr, len);
      if (options.realRandom) {
        randomFillSync(out);
        return ESUCCESS;
      }
      for (let i = 0; i < out.length; i++) {
        if (poolPos >= pool.length) {
          pool = new Uint8Array(
            createHash('sha256')
              .update(`${options.randomSeed ?? ''}:${counter++}`)
              .digest(),
          );
          poolPos = 0;
        }
        out[i] = pool[poolPos++]!;
      }
      return ESUCCESS;
    },
    fd_write(fd: number, iovsPtr: number, iovsLen: number, nwrittenPtr: number): number {
      if (fd !== 1 && fd !== 2) return EBADF;
      if (iovsLen < 0 || !inRange(iovsPtr, iovsLen * 8) || !inRange(nwrittenPtr, 4)) return EFAULT;
      const dv = mem();
      let written = 0;
      for (let i = 0; i < iovsLen; i++) {
        const base = dv.getUint32((iovsPtr >>> 0) + i * 8, true);
        const len = dv.getUint32((iovsPtr >>> 0) + i * 8 + 4, true);
        if (!inRange(base, len)) return EFAULT;
        if (len === 0) continue;
        const chunk = bytes(base, len).slice();
        if (fd === 1) options.stdout(chunk);
        else options.stderr(chunk);
        written += len;
      }
      dv.setUint32(nwrittenPtr >>> 0, written, true);
      return ESUCCESS;
    },
    fd_fdstat_get(fd: number, statPtr: number): number {
      if (fd < 0 || fd > 2) return EBADF;
      if (!inRange(statPtr, 24)) return EFAULT;
      const dv = mem();
      dv.setUint8(statPtr >>> 0, 2); // character device
      dv.setUint16((statPtr >>> 0) + 2, 0, true);
      dv.setBigUint64((statPtr >>> 0) + 8, fd === 0 ? 0n : 1n << 6n, true); // fd_write right
      dv.setBigUint64((statPtr >>> 0) + 16, 0n, true);
      return ESUCCESS;
    },
    fd_seek(fd: number): number {
      return fd >= 0 && fd <= 2 ? ESPIPE : EBADF;
    },
    fd_close(): number {
      return EBADF;
    },
    fd_read(): number {
      return EBADF;
    },
    fd_prestat_get(): number {
      return EBADF;
    },
    fd_prestat_dir_name(): number {
      return EBADF;
    },
    sched_yield(): number {
      return ESUCCESS;
    },
    proc_exit(code: number): never {
      throw new WasiExit(code);
    },
    proc_raise(): number {
      return ENOSYS;
    },
  };

  return {
    imports,
    setMemory(m: WebAssembly.Memory): void {
      memory = m;
    },
    close(): void {},
  };
}

/** ENOSYS for any preview 1 function the WASI in use does not provide. */
export function enosys(): number {
  return ENOSYS;
}
