// Host-side primitives for openat-style access. On Linux every operation names its target as
// `/proc/self/fd/<dirfd>/<name>`: the kernel resolves the directory from the already-open fd (the
// magic link), never from a path string that could have been swapped, so this behaves like the
// *at() calls cap-std uses. Elsewhere it falls back to canonical path strings checked by dev/ino.
import fs from 'node:fs';
import { ESCAPE_ERRNO, WasiError } from './errno.js';
import type { MountQuota } from './quota.js';

export interface MountState {
  id: number;
  guestPath: string;
  /** Canonical host directory. */
  hostPath: string;
  readOnly: boolean;
  /** The bytes the mount may hold (quota.ts); none: unbounded. */
  quota?: MountQuota;
  /** Folders under the mount the guest must not see (dev:ino): as if they did not exist. */
  hidden?: Set<string>;
}

/** A host directory held open, with the canonical path it had when it was reached. */
export interface HostDir {
  fd: number;
  path: string;
}

const PROC_FD = '/proc/self/fd';
export const hasProcFd = ((): boolean => {
  try {
    return process.platform === 'linux' && fs.statSync(PROC_FD).isDirectory();
  } catch {
    return false;
  }
})();

/** The host path naming `name` (one component, or '.') inside `dir`. */
export function at(dir: HostDir, name: string): string {
  if (hasProcFd) return `${PROC_FD}/${dir.fd}/${name}`;
  return name === '.' ? dir.path : `${dir.path}/${name}`;
}

/** Test hook: called right before a resolved component is opened (to simulate a host race). */
let beforeOpenHook: ((hostPath: string) => void) | undefined;
export function setBeforeOpenHookForTests(hook: ((hostPath: string) => void) | undefined): void {
  beforeOpenHook = hook;
}

/** Where an open host fd really is now. */
export function realPathOfFd(fd: number, fallback: string): string {
  if (!hasProcFd) return fallback;
  const p = fs.readlinkSync(`${PROC_FD}/${fd}`);
  return p.endsWith(' (deleted)') ? p.slice(0, -' (deleted)'.length) : p;
}

/** Like at(), but usable by a child process (names this process's fd table). */
export function atForChild(dir: HostDir, name: string): string {
  if (hasProcFd) return `/proc/${process.pid}/fd/${dir.fd}/${name}`;
  return name === '.' ? dir.path : `${dir.path}/${name}`;
}

export function fdForChild(fd: number): string | undefined {
  return hasProcFd ? `/proc/${process.pid}/fd/${fd}` : undefined;
}

export function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);
}

const BASE_FLAGS = fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/**
 * Opens `name` in `dir` without following a final symlink, then proves the result is inside the
 * mount (and, when `expect` is given, is the very inode that was checked). Any mismatch closes the
 * fd and fails as an escape.
 */
export function openAt(
  dir: HostDir,
  name: string,
  flags: number,
  mount: MountState,
  expect?: { dev: bigint; ino: bigint },
): number {
  beforeOpenHook?.(name === '.' ? dir.path : `${dir.path}/${name}`);
  const fd = fs.openSync(at(dir, name), flags | BASE_FLAGS, 0o666);
  try {
    if (expect) {
      const st = fs.fstatSync(fd, { bigint: true });
      if (st.dev !== expect.dev || st.ino !== expect.ino) throw new WasiError(ESCAPE_ERRNO);
    }
    const real = realPathOfFd(fd, '');
    if (hasProcFd && !isInside(mount.hostPath, real)) throw new WasiError(ESCAPE_ERRNO);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  return fd;
}

export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}
