// args_* and environ_*: NUL-terminated strings plus an array of pointers to them.
import type { SyscallTable, WasiContext } from './context.js';
import { Errno } from './errno.js';
import { u32, utf8 } from './memory.js';

function table(ctx: WasiContext, items: Uint8Array[], prefix: string): SyscallTable {
  const { mem } = ctx;
  const bufSize = items.reduce((n, s) => n + s.length + 1, 0);
  return {
    [`${prefix}_sizes_get`](countPtr: number, sizePtr: number): number {
      mem.check(u32(countPtr), 4);
      mem.check(u32(sizePtr), 4);
      mem.setU32(u32(countPtr), items.length);
      mem.setU32(u32(sizePtr), bufSize);
      return Errno.SUCCESS;
    },
    [`${prefix}_get`](ptrsPtr: number, bufPtr: number): number {
      const ptrs = u32(ptrsPtr);
      const buf = u32(bufPtr);
      mem.check(ptrs, items.length * 4);
      mem.check(buf, bufSize);
      let off = buf;
      items.forEach((s, i) => {
        mem.setU32(ptrs + i * 4, off);
        mem.write(off, s);
        mem.setU8(off + s.length, 0);
        off += s.length + 1;
      });
      return Errno.SUCCESS;
    },
  };
}

export function argsEnvSyscalls(ctx: WasiContext): SyscallTable {
  const args = ctx.options.args.map(utf8);
  const env = Object.entries(ctx.options.env).map(([k, v]) => utf8(`${k}=${v}`));
  return { ...table(ctx, args, 'args'), ...table(ctx, env, 'environ') };
}
