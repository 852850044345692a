// createWasi: builds the fd table (stdio + preopened mounts), the clock and random source, and the
// import object, wrapping every syscall so errors become errnos and only WasiExit escapes.
import fs from 'node:fs';
import { argsEnvSyscalls } from './args-env.js';
import { type Clock, realClock, virtualClock } from './clock.js';
import { DIR_RIGHTS, FILE_RIGHTS, MUTATING_RIGHTS, STDIN_RIGHTS, STDOUT_RIGHTS } from './constants.js';
import type { SyscallTable, WasiContext } from './context.js';
import { errnoOf } from './errno.js';
import { fdSyscalls } from './fd-ops.js';
import { FdTable } from './fd-table.js';
import { closeQuietly, type MountState } from './host.js';
import { GuestMemory } from './memory.js';
import { miscSyscalls } from './misc.js';
import { pathSyscalls } from './path-ops.js';
import { pollSyscalls } from './poll.js';
import { realRandom, seededRandom } from './random.js';
import { type Wasi, WasiExit, type WasiOptions } from './types.js';

export function createWasi(options: WasiOptions): Wasi {
  const mem = new GuestMemory();
  const fds = new FdTable();
  const clock: Clock = options.realClock ? realClock() : virtualClock(options.virtualNanos);
  const random = options.realRandom ? realRandom() : seededRandom(options.randomSeed ?? '');
  const ctx: WasiContext = { mem, fds, clock, random, options };

  fds.add({ kind: 'stdio', stream: 0, rightsBase: STDIN_RIGHTS, rightsInheriting: 0n, fdflags: 0 });
  fds.add({ kind: 'stdio', stream: 1, rightsBase: STDOUT_RIGHTS, rightsInheriting: 0n, fdflags: 0 });
  fds.add({ kind: 'stdio', stream: 2, rightsBase: STDOUT_RIGHTS, rightsInheriting: 0n, fdflags: 0 });

  const opened: number[] = [];
  try {
    options.mounts.forEach((m, id) => {
      const hostPath = fs.realpathSync(m.hostPath);
      const mount: MountState = { id, guestPath: m.guestPath, hostPath, readOnly: m.readOnly };
      if (m.hidden && m.hidden.length > 0) {
        // Known by identity (device and inode), so no other path, link or case spelling reaches them.
        mount.hidden = new Set();
        for (const h of m.hidden) {
          try {
            const st = fs.statSync(h, { bigint: true });
            if (st.isDirectory()) mount.hidden.add(`${st.dev}:${st.ino}`);
          } catch {
            // not there: nothing to hide
          }
        }
      }
      if (m.quota && !m.readOnly) {
        const limit = m.quota.limitBytes;
        mount.quota = {
          limitBytes: limit,
          usedBytes: m.quota.usedBytes,
          onFull: () => options.onQuotaFull?.(m.guestPath, limit),
        };
      }
      const C = fs.constants;
      const fd = fs.openSync(hostPath, C.O_RDONLY | C.O_DIRECTORY);
      opened.push(fd);
      const mask = m.readOnly ? ~MUTATING_RIGHTS : ~0n;
      fds.add({
        kind: 'dir',
        dir: { fd, path: hostPath },
        mount,
        preopen: m.guestPath,
        rightsBase: DIR_RIGHTS & mask,
        rightsInheriting: (DIR_RIGHTS | FILE_RIGHTS) & mask,
        fdflags: 0,
      });
    });
  } catch (e) {
    for (const fd of opened) closeQuietly(fd);
    throw e;
  }

  const table: SyscallTable = {
    ...argsEnvSyscalls(ctx),
    ...fdSyscalls(ctx),
    ...pathSyscalls(ctx),
    ...pollSyscalls(ctx),
    ...miscSyscalls(ctx),
  };

  const imports: Record<string, (...args: never[]) => unknown> = {};
  for (const [name, fn] of Object.entries(table)) {
    imports[name] = (...args: never[]): number => {
      try {
        return fn(...args);
      } catch (e) {
        if (e instanceof WasiExit) throw e;
        const errno = errnoOf(e);
        if (errno === undefined) throw e;
        return errno;
      }
    };
  }

  return {
    imports,
    setMemory(memory) {
      mem.attach(memory);
    },
    close() {
      fds.closeAll();
    },
  };
}
