// filestat: host stats to the guest's 64-byte `filestat` record.
import type { BigIntStats } from 'node:fs';
import { Filetype } from './constants.js';
import type { GuestMemory } from './memory.js';

export function filetypeOf(st: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): number {
  if (st.isFile()) return Filetype.REGULAR_FILE;
  if (st.isDirectory()) return Filetype.DIRECTORY;
  if (st.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (st.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}

export interface Filestat {
  dev: bigint;
  ino: bigint;
  filetype: number;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

export function fromStats(st: BigIntStats): Filestat {
  return {
    dev: st.dev,
    ino: st.ino,
    filetype: filetypeOf(st),
    nlink: st.nlink,
    size: st.size,
    atim: st.atimeNs,
    mtim: st.mtimeNs,
    ctim: st.ctimeNs,
  };
}

export function writeFilestat(mem: GuestMemory, ptr: number, s: Filestat): void {
  mem.check(ptr, 64);
  mem.bytes(ptr, 64).fill(0);
  mem.setU64(ptr, s.dev);
  mem.setU64(ptr + 8, s.ino);
  mem.setU8(ptr + 16, s.filetype);
  mem.setU64(ptr + 24, s.nlink);
  mem.setU64(ptr + 32, s.size);
  mem.setU64(ptr + 40, s.atim);
  mem.setU64(ptr + 48, s.mtim);
  mem.setU64(ptr + 56, s.ctim);
}
