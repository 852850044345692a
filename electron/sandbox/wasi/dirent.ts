// fd_readdir: listing a directory and packing `dirent` records (24-byte header + name).
import fs from 'node:fs';
import { Filetype } from './constants.js';
import { at, type HostDir } from './host.js';
import { utf8 } from './memory.js';
import { filetypeOf } from './stat.js';

export interface Dirent {
  name: Uint8Array;
  ino: bigint;
  type: number;
}

/** "." and ".." first (as Wasmtime lists them), then the entries sorted by name. */
export function listDir(dir: HostDir, isRoot: boolean, hidden?: Set<string>): Dirent[] {
  const self = fs.fstatSync(dir.fd, { bigint: true });
  // A mount root's parent is outside the sandbox: it reports itself, as if it were "/".
  let parentIno = self.ino;
  if (!isRoot) {
    try {
      parentIno = fs.statSync(`${at(dir, '.')}/..`, { bigint: true }).ino;
    } catch {
      // removed meanwhile
    }
  }
  const out: Dirent[] = [
    { name: utf8('.'), ino: self.ino, type: Filetype.DIRECTORY },
    { name: utf8('..'), ino: parentIno, type: Filetype.DIRECTORY },
  ];
  // Sorted, so that a plugin's output does not depend on the host file system's order.
  for (const name of fs.readdirSync(at(dir, '.')).sort()) {
    try {
      const st = fs.lstatSync(at(dir, name), { bigint: true });
      if (hidden?.has(`${st.dev}:${st.ino}`)) continue; // not listed either
      out.push({ name: utf8(name), ino: st.ino, type: filetypeOf(st) });
    } catch {
      // removed meanwhile
    }
  }
  return out;
}

/** Serializes entries from `cookie` into a buffer of `size` bytes, truncating the last one. */
export function packDirents(entries: Dirent[], cookie: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (let i = Number(cookie); i < entries.length && off < size; i++) {
    const e = entries[i]!;
    const rec = new Uint8Array(24 + e.name.length);
    const dv = new DataView(rec.buffer);
    dv.setBigUint64(0, BigInt(i + 1), true);
    dv.setBigUint64(8, e.ino, true);
    dv.setUint32(16, e.name.length, true);
    dv.setUint8(20, e.type);
    rec.set(e.name, 24);
    const n = Math.min(rec.length, size - off);
    out.set(rec.subarray(0, n), off);
    off += n;
  }
  return out.subarray(0, off);
}
