// Attacks on the WASI layer by a hostile guest, calling the syscalls directly (no compiler needed):
// odd path bytes, symlink loops and chains, renames of roots and into themselves, fd exhaustion,
// renumbering, readdir cookies, huge offsets and sleeps, and regaining rights.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Oflags, Rights } from '../../electron/sandbox/wasi/constants.js';
import {
  createWasi,
  Errno,
  setBeforeOpenHookForTests,
  type Wasi,
} from '../../electron/sandbox/wasi/index.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

const ALL = 0x1fffffffn;
const READ = Rights.FD_READ | Rights.FD_SEEK | Rights.FD_READDIR | Rights.FD_FILESTAT_GET;
const WRITE = Rights.FD_WRITE | Rights.FD_SEEK | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE;

interface Guest {
  wasi: Wasi;
  mem: WebAssembly.Memory;
  /** Outside the mounts, next to them. */
  outside: string;
  project: string;
  data: string;
  call(name: string, ...args: (number | bigint)[]): number;
  /** Puts bytes at a scratch address and returns [ptr, len]. */
  bytes(b: Uint8Array | string): [number, number];
  open(
    fd: number,
    p: string | Uint8Array,
    oflags?: number,
    rights?: bigint,
    dirflags?: number,
  ): { errno: number; fd: number };
  u32(ptr: number): number;
}

const PROJECT = 3;
const PLUGIN = 4;

function guest(): Guest {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-hostile-')));
  roots.push(root);
  const project = path.join(root, 'project');
  const data = path.join(root, 'data');
  const outside = path.join(root, 'outside');
  for (const d of [project, data, outside]) fs.mkdirSync(d);
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  fs.writeFileSync(path.join(project, 'readme.txt'), 'hello');
  const wasi = createWasi({
    args: ['t'],
    env: {},
    mounts: [
      { guestPath: '/project', hostPath: project, readOnly: true },
      { guestPath: '/plugin', hostPath: data, readOnly: false },
    ],
    realClock: false,
    realRandom: false,
    stdout: () => {},
    stderr: () => {},
  });
  const mem = new WebAssembly.Memory({ initial: 4 });
  wasi.setMemory(mem);
  let scratch = 1024;
  const g: Guest = {
    wasi,
    mem,
    outside,
    project,
    data,
    call: (name, ...args) => (wasi.imports[name] as (...a: unknown[]) => number)(...args),
    bytes(b) {
      const buf = typeof b === 'string' ? new TextEncoder().encode(b) : b;
      if (scratch + buf.length > mem.buffer.byteLength - 64) scratch = 1024;
      const ptr = scratch;
      new Uint8Array(mem.buffer).set(buf, ptr);
      scratch += buf.length + 8;
      return [ptr, buf.length];
    },
    open(fd, p, oflags = 0, rights = READ, dirflags = 0) {
      const [ptr, len] = g.bytes(p);
      const errno = g.call('path_open', fd, dirflags, ptr, len, oflags, rights, ALL, 0, 16);
      return { errno, fd: errno === 0 ? g.u32(16) : -1 };
    },
    u32: (ptr) => new DataView(mem.buffer).getUint32(ptr, true),
  };
  return g;
}

let g: Guest;
beforeEach(() => {
  g?.wasi.close();
  g = guest();
});

describe('odd path bytes', () => {
  it('NUL, invalid UTF-8, absolute and over-long paths never reach the host', () => {
    expect(g.open(PROJECT, 'readme.txt\0/../../outside/secret.txt').errno).toBe(Errno.ILSEQ);
    expect(g.open(PROJECT, new Uint8Array([0x72, 0xff, 0xfe, 0x2e])).errno).toBe(Errno.ILSEQ);
    expect(g.open(PROJECT, new Uint8Array([0xc0, 0xae, 0xc0, 0xae, 0x2f])).errno).toBe(Errno.ILSEQ); // overlong "../"
    for (const p of ['/', '//', '/etc/passwd', '//readme.txt'])
      expect(g.open(PROJECT, p).errno, p).toBe(Errno.PERM);
    expect(g.open(PROJECT, `${'a/'.repeat(20_000)}x`).errno).toBe(Errno.NAMETOOLONG);
    expect(g.open(PROJECT, '').errno).toBe(Errno.NOENT);
    expect(g.open(PROJECT, 'readme.txt/').errno).toBe(Errno.NOTDIR);
    expect(g.open(PROJECT, './././readme.txt').errno).toBe(0);
  });

  it('thousands of components of "." and ".." cost no host fds beyond the depth', () => {
    fs.mkdirSync(path.join(g.project, 'd'));
    fs.writeFileSync(path.join(g.project, 'd', 'f'), 'f');
    let open = 0;
    let peak = 0;
    const base = fs.readdirSync('/proc/self/fd').length;
    setBeforeOpenHookForTests(() => {
      open = fs.readdirSync('/proc/self/fd').length - base;
      peak = Math.max(peak, open);
    });
    try {
      const r = g.open(PROJECT, `${'d/./../'.repeat(500)}d/f`);
      expect(r.errno).toBe(0);
      g.call('fd_close', r.fd);
    } finally {
      setBeforeOpenHookForTests(undefined);
    }
    expect(peak).toBeLessThan(10);
  });
});

describe('symlinks', () => {
  it('loops are ELOOP; a link to the mount root stays inside; leaving and re-entering is refused', () => {
    fs.symlinkSync('b', path.join(g.data, 'a'));
    fs.symlinkSync('a', path.join(g.data, 'b'));
    fs.symlinkSync('.', path.join(g.data, 'root'));
    fs.symlinkSync('../data/x', path.join(g.data, 'reenter'));
    fs.symlinkSync('../outside/secret.txt', path.join(g.data, 'out'));
    fs.writeFileSync(path.join(g.data, 'x'), 'x');
    expect(g.open(PLUGIN, 'a', 0, READ, 1).errno).toBe(Errno.LOOP);
    expect(g.open(PLUGIN, 'a/x').errno).toBe(Errno.LOOP);
    expect(g.open(PLUGIN, 'root/root/root/x', 0, READ, 1).errno).toBe(0);
    expect(g.open(PLUGIN, 'reenter', 0, READ, 1).errno).toBe(Errno.PERM);
    expect(g.open(PLUGIN, 'out', 0, READ, 1).errno).toBe(Errno.PERM);
    expect(g.open(PLUGIN, 'root/../outside/secret.txt', 0, READ, 1).errno).toBe(Errno.PERM);
  });

  it('a symlink with a NUL or absolute target is refused', () => {
    const [t, tl] = g.bytes('x\0../../outside');
    const [n, nl] = g.bytes('l');
    expect(g.call('path_symlink', t, tl, PLUGIN, n, nl)).toBe(Errno.PERM);
    const [a, al] = g.bytes('/etc');
    expect(g.call('path_symlink', a, al, PLUGIN, n, nl)).toBe(Errno.PERM);
    expect(fs.readdirSync(g.data)).toEqual([]);
  });
});

describe('renames', () => {
  const rename = (from: string, to: string) => {
    const [a, al] = g.bytes(from);
    const [b, bl] = g.bytes(to);
    return g.call('path_rename', PLUGIN, a, al, PLUGIN, b, bl);
  };
  it('the root, "..", and a directory into itself cannot be renamed', () => {
    fs.mkdirSync(path.join(g.data, 'dir', 'sub'), { recursive: true });
    expect(rename('.', 'x')).toBe(Errno.BUSY);
    expect(rename('dir/..', 'x')).toBe(Errno.BUSY);
    expect(rename('..', 'x')).toBe(Errno.PERM);
    expect(rename('dir', '../outside/dir')).toBe(Errno.PERM);
    expect(rename('dir', 'dir/sub/dir')).toBe(Errno.INVAL);
    expect(fs.existsSync(path.join(g.data, 'dir', 'sub'))).toBe(true);
  });
});

describe('file descriptors', () => {
  it('the table is capped: opening files forever is EMFILE, and closing them frees every host fd', () => {
    const before = fs.readdirSync('/proc/self/fd').length;
    const fds: number[] = [];
    let last = 0;
    for (let i = 0; i < 1100; i++) {
      const r = g.open(PROJECT, 'readme.txt');
      last = r.errno;
      if (r.errno) break;
      fds.push(r.fd);
    }
    expect(last).toBe(Errno.MFILE);
    expect(fds.length).toBeLessThanOrEqual(1024);
    for (const fd of fds) expect(g.call('fd_close', fd)).toBe(0);
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
  });

  it('renumbering onto a preopen replaces it (as Wasmtime) but never widens rights', () => {
    const r = g.open(PROJECT, '.', Oflags.DIRECTORY, READ);
    expect(g.call('fd_renumber', r.fd, PLUGIN)).toBe(0);
    // fd 4 is now the read-only project directory: writing through it is refused.
    expect([Errno.PERM, Errno.NOTCAPABLE]).toContain(g.open(PLUGIN, 'new.txt', Oflags.CREAT, WRITE).errno);
    expect(fs.existsSync(path.join(g.project, 'new.txt'))).toBe(false);
    expect(g.call('fd_renumber', PROJECT, 999)).toBe(Errno.BADF);
    expect(g.call('fd_renumber', 999, PROJECT)).toBe(Errno.BADF);
  });

  it('rights can be dropped, never regained', () => {
    const r = g.open(PLUGIN, 'f', Oflags.CREAT, READ | WRITE);
    expect(g.call('fd_fdstat_set_rights', r.fd, Rights.FD_READ, 0n)).toBe(0);
    expect(g.call('fd_fdstat_set_rights', r.fd, Rights.FD_READ | Rights.FD_WRITE, 0n)).toBe(Errno.NOTCAPABLE);
    expect(g.call('fd_fdstat_set_rights', PROJECT, ALL, ALL)).toBe(Errno.NOTCAPABLE);
  });

  it('O_DIRECTORY|O_TRUNC and O_CREAT|O_DIRECTORY fail without touching anything', () => {
    fs.writeFileSync(path.join(g.data, 'f'), 'keep');
    expect(g.open(PLUGIN, 'f', Oflags.DIRECTORY | Oflags.TRUNC, READ | WRITE).errno).not.toBe(0);
    expect(g.open(PLUGIN, 'd', Oflags.DIRECTORY | Oflags.CREAT, READ).errno).not.toBe(0);
    expect(fs.readFileSync(path.join(g.data, 'f'), 'utf8')).toBe('keep');
    expect(g.open(PROJECT, 'readme.txt', Oflags.TRUNC, READ).errno).toBe(Errno.PERM);
  });
});

describe('readdir', () => {
  it('tiny buffers and bad cookies answer without throwing', () => {
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(g.project, `f${i}`), '');
    for (const size of [0, 1, 23, 24, 25]) {
      expect(g.call('fd_readdir', PROJECT, 2048, size, 0n, 16)).toBe(0);
      expect(g.u32(16)).toBe(size);
    }
    for (const cookie of [7n, 99n, -1n, 2n ** 63n]) {
      expect(g.call('fd_readdir', PROJECT, 2048, 256, cookie, 16)).toBe(0);
    }
    expect(g.call('fd_readdir', PROJECT, 65536 * 4 - 10, 256, 0n, 16)).toBe(Errno.FAULT);
  });
});

describe('offsets, sizes and sleeps', () => {
  it('huge pread/pwrite offsets and fd_allocate sizes are errnos, not host exceptions', () => {
    const r = g.open(PLUGIN, 'f', Oflags.CREAT, READ | WRITE);
    const [iov] = g.bytes(new Uint8Array(8));
    new DataView(g.mem.buffer).setUint32(iov, 4096, true);
    new DataView(g.mem.buffer).setUint32(iov + 4, 4, true);
    for (const off of [2n ** 63n, 2n ** 64n - 1n, -1n]) {
      expect(g.call('fd_pread', r.fd, iov, 1, off, 32), String(off)).not.toBe(0);
      expect(g.call('fd_pwrite', r.fd, iov, 1, off, 32), String(off)).not.toBe(0);
    }
    expect(g.call('fd_allocate', r.fd, 2n ** 63n, 2n ** 63n)).toBe(Errno.FBIG);
    expect(g.call('fd_filestat_set_size', r.fd, -1n)).toBe(Errno.FBIG);
    expect(fs.statSync(path.join(g.data, 'f')).size).toBe(0);
  });

  it('poll_oneoff: a huge subscription count is EFAULT; a year-long virtual sleep returns at once', () => {
    expect(g.call('poll_oneoff', 0, 0, 0xffffffff, 16)).toBe(Errno.FAULT);
    const sub = 4096;
    const dv = new DataView(g.mem.buffer);
    new Uint8Array(g.mem.buffer, sub, 48).fill(0);
    dv.setUint8(sub + 8, 0); // clock
    dv.setUint32(sub + 16, 1, true); // monotonic
    dv.setBigUint64(sub + 24, 365n * 24n * 3600n * 1_000_000_000n, true);
    const t0 = Date.now();
    expect(g.call('poll_oneoff', sub, 8192, 1, 16)).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('args/environ into bad pointers are EFAULT', () => {
    expect(g.call('args_get', 0xfffffff0, 0)).toBe(Errno.FAULT);
    expect(g.call('args_sizes_get', -4, 0)).toBe(Errno.FAULT);
    expect(g.call('environ_sizes_get', 0, 65536 * 4)).toBe(Errno.FAULT);
    expect(g.call('fd_write', 1, 0, 0x20000000, 16)).toBe(Errno.FAULT);
  });
});
