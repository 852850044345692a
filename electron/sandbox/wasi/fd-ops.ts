// fd_* syscalls: descriptors, reads and writes, seeking, stat, sync, readdir, preopens.
import fs from 'node:fs';
import { DIR_RIGHTS, Fdflags, FILE_RIGHTS, Filetype, Rights, Whence } from './constants.js';
import type { SyscallTable, WasiContext } from './context.js';
import { listDir, packDirents } from './dirent.js';
import { Errno, READ_ONLY_ERRNO, WasiError } from './errno.js';
import type { Entry, FileEntry } from './fd-table.js';
import { fdForChild, realPathOfFd } from './host.js';
import { u32, u64, utf8 } from './memory.js';
import { chargeGrowth, fitWrite } from './quota.js';
import { fromStats, writeFilestat } from './stat.js';
import { setFdTimes, timeSpecs } from './times.js';

const ADVICE_MAX = 5;
/** Largest single write we buffer (iovecs may alias the same memory many times over). */
const MAX_IO = 16 * 1024 * 1024;

function seekable(e: FileEntry): boolean {
  return e.filetype === Filetype.REGULAR_FILE || e.filetype === Filetype.BLOCK_DEVICE;
}

function rightsOrThrow(e: Entry, rights: bigint): void {
  if ((e.rightsBase & rights) !== rights) throw new WasiError(Errno.NOTCAPABLE);
}

function fileOf(ctx: WasiContext, fd: number, rights: bigint): FileEntry {
  const e = ctx.fds.get(fd);
  if (e.kind === 'dir') throw new WasiError(Errno.BADF);
  if (e.kind === 'stdio') throw new WasiError(Errno.SPIPE);
  rightsOrThrow(e, rights);
  return e;
}

/**
 * The inheriting rights fd_fdstat_get reports. A directory on a read-only mount reports every right,
 * as Wasmtime does (every right but path_filestat_set_size, 0xff7ffff): wasi-libc's open() trims the rights it asks for to these, so reporting the
 * trimmed set would turn open(path, O_WRONLY) into a read-only descriptor instead of the EPERM the
 * mount owes it. The stored rights stay trimmed, and path_open refuses a write by the mount.
 */
const WASMTIME_DIR_INHERITING = (DIR_RIGHTS | FILE_RIGHTS) & ~Rights.PATH_FILESTAT_SET_SIZE;

function reportedInheriting(e: Entry): bigint {
  return e.kind === 'dir' && e.mount.readOnly ? WASMTIME_DIR_INHERITING : e.rightsInheriting;
}

function notReadOnly(e: Entry): void {
  if (e.kind !== 'stdio' && e.mount.readOnly) throw new WasiError(READ_ONLY_ERRNO);
}

export function fdSyscalls(ctx: WasiContext): SyscallTable {
  const { mem, fds } = ctx;

  const readInto = (e: FileEntry, iovsPtr: number, iovsLen: number, at: bigint | null): number => {
    const iovs = mem.iovecs(iovsPtr, iovsLen);
    let total = 0;
    let pos = at;
    for (const iov of iovs) {
      if (iov.len === 0) continue;
      const n = fs.readSync(e.hostFd, mem.bytes(iov.ptr, iov.len), 0, iov.len, pos);
      total += n;
      if (pos !== null) pos += BigInt(n);
      if (n < iov.len) break;
    }
    return total;
  };

  /** The bytes of the iovecs, at most MAX_IO of them (a short write, as the guest must expect). */
  const gather = (iovsPtr: number, iovsLen: number): Uint8Array => {
    const iovs = mem.iovecs(iovsPtr, iovsLen);
    const size = Math.min(
      MAX_IO,
      iovs.reduce((s, v) => s + v.len, 0),
    );
    const out = new Uint8Array(size);
    let off = 0;
    for (const iov of iovs) {
      if (off >= size) break;
      const n = Math.min(iov.len, size - off);
      out.set(mem.bytes(iov.ptr, n), off);
      off += n;
    }
    return out;
  };

  const writeAll = (e: FileEntry, data: Uint8Array, at: bigint | null): number => {
    let off = 0;
    while (off < data.length) {
      const pos = at === null ? null : at + BigInt(off);
      if (pos !== null && pos > BigInt(Number.MAX_SAFE_INTEGER)) throw new WasiError(Errno.FBIG);
      // A quota on the mount (quota.ts): only what fits is written (a short write); nothing: ENOSPC.
      const rest = data.length - off;
      let len = rest;
      if (pos !== null && e.mount.quota) {
        try {
          len = fitWrite(e.mount.quota, e.hostFd, Number(pos), rest);
        } catch (err) {
          if (off > 0) break;
          throw err;
        }
      }
      const n = fs.writeSync(e.hostFd, data, off, len, pos === null ? null : Number(pos));
      if (n <= 0) break;
      off += n;
      if (len < rest) break;
    }
    return off;
  };

  return {
    fd_advise(fd: number, _offset: bigint, _len: bigint, advice: number): number {
      const e = ctx.fds.get(fd);
      if (e.kind !== 'file') throw new WasiError(e.kind === 'dir' ? Errno.BADF : Errno.SPIPE);
      rightsOrThrow(e, Rights.FD_ADVISE);
      if (advice < 0 || advice > ADVICE_MAX) throw new WasiError(Errno.INVAL);
      return Errno.SUCCESS;
    },

    fd_allocate(fd: number, offset: bigint, len: bigint): number {
      const e = fileOf(ctx, fd, Rights.FD_ALLOCATE);
      notReadOnly(e);
      const end = u64(offset) + u64(len);
      if (end > BigInt(Number.MAX_SAFE_INTEGER)) throw new WasiError(Errno.FBIG);
      const st = fs.fstatSync(e.hostFd, { bigint: true });
      if (st.size < end) {
        chargeGrowth(e.mount.quota, e.hostFd, Number(end));
        fs.ftruncateSync(e.hostFd, Number(end));
      }
      return Errno.SUCCESS;
    },

    fd_close(fd: number): number {
      fds.close(fd);
      return Errno.SUCCESS;
    },

    fd_datasync(fd: number): number {
      const e = fds.need(fd, Rights.FD_DATASYNC);
      if (e.kind === 'stdio') throw new WasiError(Errno.INVAL);
      fs.fdatasyncSync(e.kind === 'file' ? e.hostFd : e.dir.fd);
      return Errno.SUCCESS;
    },

    fd_sync(fd: number): number {
      const e = fds.need(fd, Rights.FD_SYNC);
      if (e.kind === 'stdio') throw new WasiError(Errno.INVAL);
      fs.fsyncSync(e.kind === 'file' ? e.hostFd : e.dir.fd);
      return Errno.SUCCESS;
    },

    fd_fdstat_get(fd: number, ptr: number): number {
      const e = fds.get(fd);
      const p = u32(ptr);
      mem.check(p, 24);
      mem.bytes(p, 24).fill(0);
      const type = e.kind === 'stdio' ? Filetype.UNKNOWN : e.kind === 'dir' ? Filetype.DIRECTORY : e.filetype;
      mem.setU8(p, type);
      mem.setU16(p + 2, e.fdflags);
      mem.setU64(p + 8, e.rightsBase);
      mem.setU64(p + 16, reportedInheriting(e));
      return Errno.SUCCESS;
    },

    fd_fdstat_set_flags(fd: number, flags: number): number {
      const e = fds.need(fd, Rights.FD_FDSTAT_SET_FLAGS);
      const allowed = Fdflags.APPEND | Fdflags.NONBLOCK;
      if (flags & ~0x1f) throw new WasiError(Errno.INVAL);
      if (flags & ~allowed) throw new WasiError(Errno.NOTSUP);
      if (e.kind === 'dir' && flags & Fdflags.APPEND) throw new WasiError(Errno.BADF);
      e.fdflags = flags;
      return Errno.SUCCESS;
    },

    fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint): number {
      const e = fds.get(fd);
      const b = u64(base);
      const i = u64(inheriting);
      if ((b & ~e.rightsBase) !== 0n || (i & ~reportedInheriting(e)) !== 0n)
        throw new WasiError(Errno.NOTCAPABLE);
      e.rightsBase = b;
      e.rightsInheriting = i & e.rightsInheriting;
      return Errno.SUCCESS;
    },

    fd_filestat_get(fd: number, ptr: number): number {
      const e = fds.need(fd, Rights.FD_FILESTAT_GET);
      const p = u32(ptr);
      mem.check(p, 64);
      if (e.kind === 'stdio') {
        writeFilestat(mem, p, {
          dev: 0n,
          ino: 0n,
          filetype: Filetype.UNKNOWN,
          nlink: 0n,
          size: 0n,
          atim: 0n,
          mtim: 0n,
          ctim: 0n,
        });
        return Errno.SUCCESS;
      }
      const st = fs.fstatSync(e.kind === 'file' ? e.hostFd : e.dir.fd, { bigint: true });
      writeFilestat(mem, p, fromStats(st));
      return Errno.SUCCESS;
    },

    fd_filestat_set_size(fd: number, size: bigint): number {
      const e = fileOf(ctx, fd, Rights.FD_FILESTAT_SET_SIZE);
      notReadOnly(e);
      const s = u64(size);
      if (s > BigInt(Number.MAX_SAFE_INTEGER)) throw new WasiError(Errno.FBIG);
      chargeGrowth(e.mount.quota, e.hostFd, Number(s));
      fs.ftruncateSync(e.hostFd, Number(s));
      return Errno.SUCCESS;
    },

    fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, fst: number): number {
      const e = fds.need(fd, Rights.FD_FILESTAT_SET_TIMES);
      if (e.kind === 'stdio') throw new WasiError(Errno.BADF);
      notReadOnly(e);
      const [a, m] = timeSpecs(u64(atim), u64(mtim), fst);
      const hostFd = e.kind === 'file' ? e.hostFd : e.dir.fd;
      setFdTimes(hostFd, fdForChild(hostFd), a, m);
      return Errno.SUCCESS;
    },

    fd_pread(fd: number, iovs: number, iovsLen: number, offset: bigint, nreadPtr: number): number {
      const e = fds.get(fd);
      if (e.kind === 'dir') throw new WasiError(Errno.ISDIR);
      if (e.kind === 'stdio') throw new WasiError(Errno.SPIPE);
      rightsOrThrow(e, Rights.FD_READ | Rights.FD_SEEK);
      if (!seekable(e)) throw new WasiError(Errno.SPIPE);
      mem.check(u32(nreadPtr), 4);
      const n = readInto(e, u32(iovs), u32(iovsLen), u64(offset));
      mem.setU32(u32(nreadPtr), n);
      return Errno.SUCCESS;
    },

    fd_pwrite(fd: number, iovs: number, iovsLen: number, offset: bigint, nwrittenPtr: number): number {
      const e = fds.get(fd);
      if (e.kind === 'dir') throw new WasiError(Errno.ISDIR);
      if (e.kind === 'stdio') throw new WasiError(Errno.SPIPE);
      rightsOrThrow(e, Rights.FD_WRITE | Rights.FD_SEEK);
      notReadOnly(e);
      if (!seekable(e)) throw new WasiError(Errno.SPIPE);
      mem.check(u32(nwrittenPtr), 4);
      const data = gather(u32(iovs), u32(iovsLen));
      const n = writeAll(e, data, u64(offset));
      mem.setU32(u32(nwrittenPtr), n);
      return Errno.SUCCESS;
    },

    fd_prestat_get(fd: number, ptr: number): number {
      const e = fds.get(fd);
      if (e.kind !== 'dir' || e.preopen === undefined) throw new WasiError(Errno.BADF);
      const p = u32(ptr);
      mem.check(p, 8);
      mem.setU32(p, 0);
      mem.setU32(p + 4, utf8(e.preopen).length);
      return Errno.SUCCESS;
    },

    fd_prestat_dir_name(fd: number, pathPtr: number, pathLen: number): number {
      const e = fds.get(fd);
      if (e.kind !== 'dir' || e.preopen === undefined) throw new WasiError(Errno.BADF);
      const name = utf8(e.preopen);
      if (u32(pathLen) < name.length) throw new WasiError(Errno.NAMETOOLONG);
      mem.write(u32(pathPtr), name);
      return Errno.SUCCESS;
    },

    fd_read(fd: number, iovs: number, iovsLen: number, nreadPtr: number): number {
      const e = fds.get(fd);
      if (e.kind === 'stdio') {
        if (e.stream !== 0) throw new WasiError(Errno.BADF);
        mem.iovecs(u32(iovs), u32(iovsLen));
        mem.setU32(u32(nreadPtr), 0);
        return Errno.SUCCESS;
      }
      if (e.kind === 'dir') throw new WasiError(Errno.ISDIR);
      rightsOrThrow(e, Rights.FD_READ);
      mem.check(u32(nreadPtr), 4);
      const n = readInto(e, u32(iovs), u32(iovsLen), seekable(e) ? e.pos : null);
      if (seekable(e)) e.pos += BigInt(n);
      mem.setU32(u32(nreadPtr), n);
      return Errno.SUCCESS;
    },

    fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, bufusedPtr: number): number {
      const e = fds.get(fd);
      if (e.kind !== 'dir') throw new WasiError(Errno.NOTDIR);
      rightsOrThrow(e, Rights.FD_READDIR);
      const p = u32(buf);
      const len = u32(bufLen);
      mem.check(p, len);
      mem.check(u32(bufusedPtr), 4);
      const c = u64(cookie);
      if (c === 0n || !e.listing)
        e.listing = listDir(e.dir, realPathOfFd(e.dir.fd, e.dir.path) === e.mount.hostPath, e.mount.hidden);
      const packed = c >= BigInt(e.listing.length) ? new Uint8Array(0) : packDirents(e.listing, c, len);
      mem.write(p, packed);
      mem.setU32(u32(bufusedPtr), packed.length);
      return Errno.SUCCESS;
    },

    fd_renumber(from: number, to: number): number {
      fds.renumber(from, to);
      return Errno.SUCCESS;
    },

    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number): number {
      const e = fds.get(fd);
      if (e.kind === 'dir') throw new WasiError(Errno.BADF);
      if (e.kind === 'stdio') throw new WasiError(Errno.SPIPE);
      const off = BigInt.asIntN(64, BigInt(offset));
      const tellOnly = off === 0n && whence === Whence.CUR;
      rightsOrThrow(e, tellOnly ? Rights.FD_TELL : Rights.FD_SEEK);
      if (!seekable(e)) throw new WasiError(Errno.SPIPE);
      const p = u32(newOffsetPtr);
      mem.check(p, 8);
      let base: bigint;
      if (whence === Whence.SET) base = 0n;
      else if (whence === Whence.CUR) base = e.pos;
      else if (whence === Whence.END) base = fs.fstatSync(e.hostFd, { bigint: true }).size;
      else throw new WasiError(Errno.INVAL);
      const next = base + off;
      if (next < 0n) throw new WasiError(Errno.INVAL);
      e.pos = next;
      mem.setU64(p, next);
      return Errno.SUCCESS;
    },

    fd_tell(fd: number, ptr: number): number {
      const e = fds.get(fd);
      if (e.kind === 'dir') throw new WasiError(Errno.BADF);
      if (e.kind === 'stdio') throw new WasiError(Errno.SPIPE);
      rightsOrThrow(e, Rights.FD_TELL);
      mem.setU64(u32(ptr), e.pos);
      return Errno.SUCCESS;
    },

    fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number {
      const e = fds.get(fd);
      if (e.kind === 'stdio') {
        if (e.stream === 0) throw new WasiError(Errno.BADF);
        mem.check(u32(nwrittenPtr), 4);
        const data = gather(u32(iovs), u32(iovsLen));
        if (data.length > 0) (e.stream === 1 ? ctx.options.stdout : ctx.options.stderr)(data);
        mem.setU32(u32(nwrittenPtr), data.length);
        return Errno.SUCCESS;
      }
      if (e.kind === 'dir') throw new WasiError(Errno.ISDIR);
      rightsOrThrow(e, Rights.FD_WRITE);
      notReadOnly(e);
      mem.check(u32(nwrittenPtr), 4);
      const data = gather(u32(iovs), u32(iovsLen));
      if (!seekable(e)) {
        mem.setU32(u32(nwrittenPtr), writeAll(e, data, null));
        return Errno.SUCCESS;
      }
      if (e.fdflags & Fdflags.APPEND) e.pos = fs.fstatSync(e.hostFd, { bigint: true }).size;
      const n = writeAll(e, data, e.pos);
      e.pos += BigInt(n);
      mem.setU32(u32(nwrittenPtr), n);
      return Errno.SUCCESS;
    },
  };
}
