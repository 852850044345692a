// Clocks, random, process, scheduling and sockets (there are never sockets here).
import type { SyscallTable, WasiContext } from './context.js';
import { Errno, WasiError } from './errno.js';
import { u32 } from './memory.js';
import { WasiExit } from './types.js';

export function miscSyscalls(ctx: WasiContext): SyscallTable {
  const { mem, fds, clock } = ctx;
  const noSocket = (fd: number): number => {
    fds.get(fd);
    throw new WasiError(Errno.NOTSOCK);
  };
  return {
    clock_res_get(id: number, ptr: number): number {
      const res = clock.resolution(id);
      mem.setU64(u32(ptr), res);
      return Errno.SUCCESS;
    },
    clock_time_get(id: number, _precision: bigint, ptr: number): number {
      mem.check(u32(ptr), 8);
      mem.setU64(u32(ptr), clock.now(id));
      return Errno.SUCCESS;
    },
    random_get(ptr: number, len: number): number {
      ctx.random(mem.bytes(u32(ptr), u32(len)));
      return Errno.SUCCESS;
    },
    proc_exit(code: number): number {
      throw new WasiExit(u32(code));
    },
    proc_raise(_sig: number): number {
      return Errno.NOSYS;
    },
    sched_yield(): number {
      return Errno.SUCCESS;
    },
    sock_accept(fd: number, _flags: number, _ptr: number): number {
      return noSocket(fd);
    },
    sock_recv(fd: number): number {
      return noSocket(fd);
    },
    sock_send(fd: number): number {
      return noSocket(fd);
    },
    sock_shutdown(fd: number): number {
      return noSocket(fd);
    },
  };
}
