// poll_oneoff: clock subscriptions sleep (or advance the virtual clock); fd subscriptions on
// regular files and stdio are ready at once.
import fs from 'node:fs';
import { Eventtype, Rights, Subclockflags } from './constants.js';
import type { SyscallTable, WasiContext } from './context.js';
import { Errno, errnoOf, WasiError } from './errno.js';
import { u32 } from './memory.js';

const SUB_SIZE = 48;
const EVENT_SIZE = 32;

interface Event {
  userdata: bigint;
  error: number;
  type: number;
  nbytes: bigint;
}

export function pollSyscalls(ctx: WasiContext): SyscallTable {
  const { mem, fds, clock } = ctx;
  return {
    poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number {
      const n = u32(nsubs);
      const inp = u32(inPtr);
      const out = u32(outPtr);
      if (n === 0) throw new WasiError(Errno.INVAL);
      mem.check(inp, n * SUB_SIZE);
      mem.check(out, n * EVENT_SIZE);
      mem.check(u32(neventsPtr), 4);
      const ready: Event[] = [];
      const timers: { userdata: bigint; wait: bigint }[] = [];
      for (let i = 0; i < n; i++) {
        const p = inp + i * SUB_SIZE;
        const userdata = mem.u64(p);
        const tag = mem.u8(p + 8);
        if (tag === Eventtype.CLOCK) {
          const id = mem.u32(p + 16);
          const timeout = mem.u64(p + 24);
          const flags = mem.u16(p + 40);
          let wait: bigint;
          try {
            wait = flags & Subclockflags.ABSTIME ? timeout - clock.now(id) : timeout;
          } catch (e) {
            ready.push({ userdata, error: errnoOf(e) ?? Errno.INVAL, type: tag, nbytes: 0n });
            continue;
          }
          timers.push({ userdata, wait: wait < 0n ? 0n : wait });
        } else if (tag === Eventtype.FD_READ || tag === Eventtype.FD_WRITE) {
          const fd = mem.u32(p + 16);
          ready.push(fdEvent(fds, userdata, tag, fd));
        } else {
          throw new WasiError(Errno.INVAL);
        }
      }
      if (ready.length === 0 && timers.length > 0) {
        // bigints: Math.min does not apply
        let min = timers[0]!.wait;
        for (const t of timers) if (t.wait < min) min = t.wait;
        clock.sleep(min);
        for (const t of timers) {
          if (t.wait <= min)
            ready.push({ userdata: t.userdata, error: 0, type: Eventtype.CLOCK, nbytes: 0n });
        }
      } else {
        for (const t of timers) {
          if (t.wait === 0n)
            ready.push({ userdata: t.userdata, error: 0, type: Eventtype.CLOCK, nbytes: 0n });
        }
      }
      ready.forEach((ev, i) => {
        const p = out + i * EVENT_SIZE;
        mem.bytes(p, EVENT_SIZE).fill(0);
        mem.setU64(p, ev.userdata);
        mem.setU16(p + 8, ev.error);
        mem.setU8(p + 10, ev.type);
        mem.setU64(p + 16, ev.nbytes);
      });
      mem.setU32(u32(neventsPtr), ready.length);
      return Errno.SUCCESS;
    },
  };
}

function fdEvent(fds: WasiContext['fds'], userdata: bigint, type: number, fd: number): Event {
  const fail = (error: number): Event => ({ userdata, error, type, nbytes: 0n });
  let e: ReturnType<typeof fds.get>;
  try {
    e = fds.get(fd);
  } catch {
    return fail(Errno.BADF);
  }
  const need = type === Eventtype.FD_READ ? Rights.FD_READ : Rights.FD_WRITE;
  if ((e.rightsBase & (need | Rights.POLL_FD_READWRITE)) === 0n) return fail(Errno.BADF);
  if (e.kind === 'dir') return fail(Errno.BADF);
  if (e.kind === 'stdio') {
    if ((type === Eventtype.FD_READ) !== (e.stream === 0)) return fail(Errno.BADF);
    return { userdata, error: 0, type, nbytes: 0n };
  }
  if (type === Eventtype.FD_READ) {
    try {
      const size = fs.fstatSync(e.hostFd, { bigint: true }).size;
      return { userdata, error: 0, type, nbytes: size > e.pos ? size - e.pos : 0n };
    } catch (err) {
      return fail(errnoOf(err) ?? Errno.IO);
    }
  }
  return { userdata, error: 0, type, nbytes: 0n };
}
