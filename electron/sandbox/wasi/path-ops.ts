// path_* syscalls. Every path goes through resolve() beneath its directory fd; every mutating call
// checks the mount is writable (EPERM, as Wasmtime) before the fd's rights (ENOTCAPABLE).
import fs from 'node:fs';
import {
  DIR_RIGHTS,
  Fdflags,
  FILE_RIGHTS,
  Lookupflags,
  Oflags,
  Rights,
  WRITE_OPEN_RIGHTS,
} from './constants.js';
import type { SyscallTable, WasiContext } from './context.js';
import { Errno, ESCAPE_ERRNO, READ_ONLY_ERRNO, WasiError } from './errno.js';
import type { DirEntry, FdTable } from './fd-table.js';
import { at, atForChild, closeQuietly, openAt } from './host.js';
import { u32, u64 } from './memory.js';
import { charge, ENTRY_BYTES, release, releaseEntry } from './quota.js';
import { type Resolved, symlinkEscapes, withResolved } from './resolve.js';
import { fromStats, writeFilestat } from './stat.js';
import { setPathTimes, timeSpecs } from './times.js';

/** Longest guest path accepted (the walk itself has no PATH_MAX; this bounds its work). */
export const MAX_PATH_BYTES = 32 * 1024;

/** A directory fd for a mutating call: the mount must be writable, then the fd needs `rights`. */
function writableDir(fds: FdTable, fd: number, rights: bigint): DirEntry {
  const d = fds.dir(fd, 0n);
  if (d.mount.readOnly) throw new WasiError(READ_ONLY_ERRNO);
  if ((d.rightsBase & rights) !== rights) throw new WasiError(Errno.NOTCAPABLE);
  return d;
}

/** A trailing slash demands a directory (a symlink is not one here: it is never followed). */
function slashNeedsDir(r: Resolved, missingOk = false): void {
  if (!r.trailingSlash || r.name === '.') return;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(at(r.dir, r.name));
  } catch (e) {
    if (missingOk && (e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!st.isDirectory()) throw new WasiError(Errno.NOTDIR);
}

/** Creating a link or symlink at "name/": never valid; say why as Linux does. */
function newNameWithSlash(r: Resolved): never {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(at(r.dir, r.name));
  } catch {
    throw new WasiError(Errno.NOENT);
  }
  throw new WasiError(st.isDirectory() ? Errno.EXIST : Errno.NOTDIR);
}

export function pathSyscalls(ctx: WasiContext): SyscallTable {
  const { mem, fds } = ctx;
  const str = (ptr: number, len: number): string => {
    mem.check(u32(ptr), u32(len));
    if (u32(len) > MAX_PATH_BYTES) throw new WasiError(Errno.NAMETOOLONG);
    return mem.string(u32(ptr), u32(len));
  };

  return {
    path_create_directory(fd: number, pathPtr: number, pathLen: number): number {
      const d = writableDir(fds, fd, Rights.PATH_CREATE_DIRECTORY);
      const path = str(pathPtr, pathLen);
      withResolved(d, path, { follow: false }, (r) => {
        charge(d.mount.quota, ENTRY_BYTES);
        try {
          fs.mkdirSync(at(r.dir, r.name), 0o777);
        } catch (e) {
          release(d.mount.quota, ENTRY_BYTES);
          throw e;
        }
      });
      return Errno.SUCCESS;
    },

    path_filestat_get(fd: number, flags: number, pathPtr: number, pathLen: number, buf: number): number {
      const d = fds.dir(fd, Rights.PATH_FILESTAT_GET);
      const path = str(pathPtr, pathLen);
      mem.check(u32(buf), 64);
      withResolved(d, path, { follow: (flags & Lookupflags.SYMLINK_FOLLOW) !== 0 }, (r) => {
        slashNeedsDir(r);
        writeFilestat(mem, u32(buf), fromStats(fs.lstatSync(at(r.dir, r.name), { bigint: true })));
      });
      return Errno.SUCCESS;
    },

    path_filestat_set_times(
      fd: number,
      flags: number,
      pathPtr: number,
      pathLen: number,
      atim: bigint,
      mtim: bigint,
      fst: number,
    ): number {
      const d = writableDir(fds, fd, Rights.PATH_FILESTAT_SET_TIMES);
      const path = str(pathPtr, pathLen);
      const [a, m] = timeSpecs(u64(atim), u64(mtim), fst);
      const follow = (flags & Lookupflags.SYMLINK_FOLLOW) !== 0;
      withResolved(d, path, { follow }, (r) => {
        slashNeedsDir(r);
        setPathTimes(at(r.dir, r.name), atForChild(r.dir, r.name), true, a, m);
      });
      return Errno.SUCCESS;
    },

    path_link(
      oldFd: number,
      oldFlags: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ): number {
      const src = writableDir(fds, oldFd, Rights.PATH_LINK_SOURCE);
      const dst = writableDir(fds, newFd, Rights.PATH_LINK_TARGET);
      const oldPath = str(oldPtr, oldLen);
      const newPath = str(newPtr, newLen);
      if (src.mount !== dst.mount) throw new WasiError(Errno.XDEV);
      if (oldFlags & Lookupflags.SYMLINK_FOLLOW) throw new WasiError(Errno.INVAL);
      withResolved(src, oldPath, { follow: false }, (from) => {
        withResolved(dst, newPath, { follow: false }, (to) => {
          slashNeedsDir(from);
          if (to.trailingSlash) newNameWithSlash(to);
          charge(dst.mount.quota, ENTRY_BYTES);
          try {
            fs.linkSync(at(from.dir, from.name), at(to.dir, to.name));
          } catch (e) {
            release(dst.mount.quota, ENTRY_BYTES);
            throw e;
          }
        });
      });
      return Errno.SUCCESS;
    },

    path_open(
      fd: number,
      dirflags: number,
      pathPtr: number,
      pathLen: number,
      oflags: number,
      rightsBase: bigint,
      rightsInheriting: bigint,
      fdflags: number,
      fdPtr: number,
    ): number {
      const d = fds.dir(fd, Rights.PATH_OPEN);
      const path = str(pathPtr, pathLen);
      mem.check(u32(fdPtr), 4);
      if (oflags & ~0xf || fdflags & ~0x1f) throw new WasiError(Errno.INVAL);
      let base = u64(rightsBase);
      const inheriting = u64(rightsInheriting) & d.rightsInheriting;
      const wantsWrite = (base & WRITE_OPEN_RIGHTS) !== 0n || (fdflags & Fdflags.APPEND) !== 0;
      if (d.mount.readOnly && (oflags & (Oflags.CREAT | Oflags.TRUNC) || wantsWrite)) {
        throw new WasiError(READ_ONLY_ERRNO);
      }
      let needed = 0n;
      if (oflags & Oflags.CREAT) needed |= Rights.PATH_CREATE_FILE;
      if (oflags & Oflags.TRUNC) needed |= Rights.PATH_FILESTAT_SET_SIZE;
      if ((d.rightsBase & needed) !== needed) throw new WasiError(Errno.NOTCAPABLE);
      base &= d.rightsInheriting;
      const C = fs.constants;
      const read = (base & (Rights.FD_READ | Rights.FD_READDIR)) !== 0n;
      const write = (base & WRITE_OPEN_RIGHTS) !== 0n;
      let flags = write ? (read ? C.O_RDWR : C.O_WRONLY) : C.O_RDONLY;
      if (oflags & Oflags.CREAT) flags |= C.O_CREAT;
      if (oflags & Oflags.EXCL) flags |= C.O_EXCL;
      if (oflags & Oflags.TRUNC) flags |= C.O_TRUNC;
      if (oflags & Oflags.DIRECTORY) flags |= C.O_DIRECTORY;
      if (fdflags & Fdflags.DSYNC) flags |= C.O_DSYNC;
      if (fdflags & (Fdflags.SYNC | Fdflags.RSYNC)) flags |= C.O_SYNC;
      const creatExcl = (oflags & (Oflags.CREAT | Oflags.EXCL)) === (Oflags.CREAT | Oflags.EXCL);
      const follow = (dirflags & Lookupflags.SYMLINK_FOLLOW) !== 0 && !creatExcl;
      const newFd = withResolved(d, path, { follow, slashFollows: true }, (r) => {
        if (r.trailingSlash) {
          if (oflags & Oflags.CREAT && !fs.existsSync(at(r.dir, r.name))) throw new WasiError(Errno.ISDIR);
          flags |= C.O_DIRECTORY;
        }
        // A quota on the mount (quota.ts): a new file counts as an entry; truncating frees its bytes.
        const quota = d.mount.quota;
        let charged = 0;
        if (quota && flags & (C.O_CREAT | C.O_TRUNC)) {
          let before: fs.Stats | null = null;
          try {
            before = fs.lstatSync(at(r.dir, r.name));
          } catch {
            // not there yet
          }
          if (!before && flags & C.O_CREAT) {
            charge(quota, ENTRY_BYTES);
            charged = ENTRY_BYTES;
          } else if (before?.isFile() && flags & C.O_TRUNC && before.nlink <= 1) release(quota, before.size);
        }
        let hostFd: number;
        try {
          hostFd = openAt(r.dir, r.name, flags, d.mount);
        } catch (e) {
          release(quota, charged);
          throw e;
        }
        try {
          const st = fs.fstatSync(hostFd);
          if (st.isDirectory()) {
            return fds.add({
              kind: 'dir',
              dir: { fd: hostFd, path: r.name === '.' ? r.dir.path : `${r.dir.path}/${r.name}` },
              mount: d.mount,
              rightsBase: base & DIR_RIGHTS,
              rightsInheriting: inheriting,
              fdflags: fdflags & Fdflags.NONBLOCK,
            });
          }
          const st2 = fs.fstatSync(hostFd, { bigint: true });
          if (ctx.options.onOpen) {
            const full = `${r.dir.path}/${r.name}`;
            const rel = full.startsWith(d.mount.hostPath)
              ? full.slice(d.mount.hostPath.length)
              : `/${r.name}`;
            const wrote = write || (flags & (C.O_CREAT | C.O_TRUNC)) !== 0;
            ctx.options.onOpen(d.mount.guestPath, `${d.mount.guestPath}${rel}`, wrote ? 'write' : 'read');
          }
          return fds.add({
            kind: 'file',
            hostFd,
            mount: d.mount,
            filetype: fromStats(st2).filetype,
            pos: 0n,
            rightsBase: base & FILE_RIGHTS,
            rightsInheriting: inheriting,
            fdflags,
          });
        } catch (e) {
          closeQuietly(hostFd);
          throw e;
        }
      });
      mem.setU32(u32(fdPtr), newFd);
      return Errno.SUCCESS;
    },

    path_readlink(
      fd: number,
      pathPtr: number,
      pathLen: number,
      buf: number,
      bufLen: number,
      bufusedPtr: number,
    ): number {
      const d = fds.dir(fd, Rights.PATH_READLINK);
      const path = str(pathPtr, pathLen);
      mem.check(u32(buf), u32(bufLen));
      mem.check(u32(bufusedPtr), 4);
      withResolved(d, path, { follow: false }, (r) => {
        const target = fs.readlinkSync(at(r.dir, r.name), { encoding: 'buffer' });
        const n = Math.min(target.length, u32(bufLen));
        mem.write(u32(buf), target.subarray(0, n));
        mem.setU32(u32(bufusedPtr), n);
      });
      return Errno.SUCCESS;
    },

    path_remove_directory(fd: number, pathPtr: number, pathLen: number): number {
      const d = writableDir(fds, fd, Rights.PATH_REMOVE_DIRECTORY);
      const path = str(pathPtr, pathLen);
      withResolved(d, path, { follow: false }, (r) => {
        if (r.name === '.') throw new WasiError(Errno.INVAL);
        fs.rmdirSync(at(r.dir, r.name));
        release(d.mount.quota, ENTRY_BYTES);
      });
      return Errno.SUCCESS;
    },

    path_rename(
      fd: number,
      oldPtr: number,
      oldLen: number,
      newFd: number,
      newPtr: number,
      newLen: number,
    ): number {
      const src = writableDir(fds, fd, Rights.PATH_RENAME_SOURCE);
      const dst = writableDir(fds, newFd, Rights.PATH_RENAME_TARGET);
      const oldPath = str(oldPtr, oldLen);
      const newPath = str(newPtr, newLen);
      if (src.mount !== dst.mount) throw new WasiError(Errno.XDEV);
      withResolved(src, oldPath, { follow: false }, (from) => {
        withResolved(dst, newPath, { follow: false }, (to) => {
          if (from.name === '.' || to.name === '.') throw new WasiError(Errno.BUSY);
          slashNeedsDir(from);
          if (to.trailingSlash) {
            const st = fs.lstatSync(at(from.dir, from.name));
            if (!st.isDirectory()) throw new WasiError(Errno.NOTDIR);
          }
          // A replaced file frees what it held.
          if (dst.mount.quota) releaseEntry(dst.mount.quota, at(to.dir, to.name));
          fs.renameSync(at(from.dir, from.name), at(to.dir, to.name));
        });
      });
      return Errno.SUCCESS;
    },

    path_symlink(oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number): number {
      const d = writableDir(fds, fd, Rights.PATH_SYMLINK);
      const target = str(oldPtr, oldLen);
      const newPath = str(newPtr, newLen);
      withResolved(d, newPath, { follow: false }, (r) => {
        if (r.trailingSlash) newNameWithSlash(r);
        if (symlinkEscapes(r.dir, d.mount.hostPath, target)) throw new WasiError(ESCAPE_ERRNO);
        charge(d.mount.quota, ENTRY_BYTES);
        try {
          fs.symlinkSync(target, at(r.dir, r.name));
        } catch (e) {
          release(d.mount.quota, ENTRY_BYTES);
          throw e;
        }
      });
      return Errno.SUCCESS;
    },

    path_unlink_file(fd: number, pathPtr: number, pathLen: number): number {
      const d = writableDir(fds, fd, Rights.PATH_UNLINK_FILE);
      const path = str(pathPtr, pathLen);
      withResolved(d, path, { follow: false }, (r) => {
        if (r.trailingSlash) {
          const st = fs.lstatSync(at(r.dir, r.name));
          throw new WasiError(st.isDirectory() ? Errno.ISDIR : Errno.NOTDIR);
        }
        if (d.mount.quota) releaseEntry(d.mount.quota, at(r.dir, r.name));
        fs.unlinkSync(at(r.dir, r.name));
      });
      return Errno.SUCCESS;
    },
  };
}
