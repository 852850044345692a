// The guest's file descriptor table: stdio at 0-2, preopened mounts from 3, then opened files.
import type { Dirent } from './dirent.js';
import { Errno, WasiError } from './errno.js';
import { closeQuietly, type HostDir, type MountState } from './host.js';

interface EntryBase {
  rightsBase: bigint;
  rightsInheriting: bigint;
  /** Guest-visible fdflags. */
  fdflags: number;
}

export interface StdioEntry extends EntryBase {
  kind: 'stdio';
  stream: 0 | 1 | 2;
}

export interface FileEntry extends EntryBase {
  kind: 'file';
  hostFd: number;
  mount: MountState;
  filetype: number;
  /** The file position, kept here because Node has no lseek. */
  pos: bigint;
}

export interface DirEntry extends EntryBase {
  kind: 'dir';
  dir: HostDir;
  mount: MountState;
  /** Set for preopened directories: the guest path. */
  preopen?: string;
  /** Entries listed at cookie 0, reused while the guest pages through them. */
  listing?: Dirent[];
}

export type Entry = StdioEntry | FileEntry | DirEntry;

export const MAX_FDS = 1024;

export class FdTable {
  private readonly entries: (Entry | undefined)[] = [];

  get(fd: number): Entry {
    const e = Number.isInteger(fd) && fd >= 0 ? this.entries[fd] : undefined;
    if (!e) throw new WasiError(Errno.BADF);
    return e;
  }

  /** The entry, after checking it holds every right in `rights` (ENOTCAPABLE otherwise). */
  need(fd: number, rights: bigint): Entry {
    const e = this.get(fd);
    if ((e.rightsBase & rights) !== rights) throw new WasiError(Errno.NOTCAPABLE);
    return e;
  }

  dir(fd: number, rights: bigint): DirEntry {
    const e = this.get(fd);
    if (e.kind !== 'dir') throw new WasiError(Errno.NOTDIR);
    if ((e.rightsBase & rights) !== rights) throw new WasiError(Errno.NOTCAPABLE);
    return e;
  }

  add(entry: Entry): number {
    for (let fd = 0; fd < MAX_FDS; fd++) {
      if (!this.entries[fd]) {
        this.entries[fd] = entry;
        return fd;
      }
    }
    throw new WasiError(Errno.MFILE);
  }

  set(fd: number, entry: Entry): void {
    this.entries[fd] = entry;
  }

  close(fd: number): void {
    const e = this.get(fd);
    this.entries[fd] = undefined;
    releaseEntry(e);
  }

  renumber(from: number, to: number): void {
    const e = this.get(from);
    const target = this.get(to);
    if (from === to) return;
    this.entries[to] = e;
    this.entries[from] = undefined;
    releaseEntry(target);
  }

  closeAll(): void {
    for (let fd = 0; fd < this.entries.length; fd++) {
      const e = this.entries[fd];
      this.entries[fd] = undefined;
      if (e) releaseEntry(e);
    }
  }
}

function releaseEntry(e: Entry): void {
  if (e.kind === 'file') closeQuietly(e.hostFd);
  else if (e.kind === 'dir') closeQuietly(e.dir.fd);
}
