// The quota of a writable mount (`/plugin`): the bytes its files may hold, counted as they change.
// The engine counts what the folder holds once, when the run starts (a file's size, and ENTRY_BYTES
// for every file, folder and link, so a flood of empty files is bounded too); from then on every
// call that can make the folder bigger is charged here, and every one that frees space is credited,
// without walking the tree again. Past the limit a write fails with ENOSPC, as on a full disk (a
// write that only partly fits is a short write first).
import * as fs from 'node:fs';
import { Errno, WasiError } from './errno.js';

/** What one directory entry (file, folder, link) counts for, like a disk block. */
export const ENTRY_BYTES = 4096;

export interface MountQuota {
  limitBytes: number;
  usedBytes: number;
  /** Called the first time a write is refused (for the run's log). */
  onFull?: () => void;
  full?: boolean;
}

function refuse(q: MountQuota): never {
  if (!q.full) {
    q.full = true;
    q.onFull?.();
  }
  throw new WasiError(Errno.NOSPC);
}

/** Charges `n` more bytes, or throws ENOSPC (nothing charged) when they do not fit. */
export function charge(q: MountQuota | undefined, n: number): void {
  if (!q || n <= 0) return;
  if (q.usedBytes + n > q.limitBytes) refuse(q);
  q.usedBytes += n;
}

/** Credits `n` bytes freed. */
export function release(q: MountQuota | undefined, n: number): void {
  if (!q || n <= 0) return;
  q.usedBytes = Math.max(0, q.usedBytes - n);
}

/**
 * How many of `len` bytes written at `pos` into the open file fit the quota: all of them, fewer (a
 * short write), or none (ENOSPC). Charges the growth of the file they will cause.
 */
export function fitWrite(q: MountQuota | undefined, hostFd: number, pos: number, len: number): number {
  if (!q || len === 0) return len;
  const size = fs.fstatSync(hostFd).size;
  const growth = pos + len - size;
  if (growth <= 0) return len;
  const room = q.limitBytes - q.usedBytes;
  if (room <= 0) refuse(q);
  const fits = growth <= room ? len : len - (growth - room);
  if (fits <= 0) refuse(q);
  q.usedBytes += Math.max(0, pos + fits - size);
  return fits;
}

/** Charges a file growing to `end` bytes (ftruncate, fallocate), or throws ENOSPC. */
export function chargeGrowth(q: MountQuota | undefined, hostFd: number, end: number): void {
  if (!q) return;
  const size = fs.fstatSync(hostFd).size;
  if (end > size) charge(q, end - size);
  else release(q, size - end);
}

/** Credits what the entry at `path` holds (before it is removed or replaced), if it exists. */
export function releaseEntry(q: MountQuota | undefined, path: string): void {
  if (!q) return;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path);
  } catch {
    return;
  }
  release(q, ENTRY_BYTES + (st.isFile() && st.nlink <= 1 ? st.size : 0));
}
