// Escape tests: a real project tree on disk, a real wasm probe (C, compiled at test time), and
// every way out we know of, against a read-only /project and a read-write /plugin.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Errno, setBeforeOpenHookForTests } from '../../electron/sandbox/wasi/index.js';
import {
  buildProbe,
  errnoOf,
  type Fixture,
  hashTree,
  makeFixture,
  mountsOf,
  runProbe,
  SECRET,
} from './helpers.js';

let f: Fixture;
let probe: WebAssembly.Module;
let projectHash: string;
let outsideHash: string;

const ESCAPE = [Errno.PERM, Errno.NOTCAPABLE];
const DENIED = [Errno.ROFS, Errno.NOTCAPABLE, Errno.PERM];
const MUTATING_RIGHTS_MASK =
  (1n << 6n) | (1n << 8n) | (1n << 9n) | (1n << 10n) | (1n << 12n) | (1n << 16n) | (1n << 17n);

function run(...ops: string[]): string[] {
  const r = runProbe(probe, mountsOf(f), ops);
  expect(r.exitCode).toBe(0);
  expect(r.stdout).not.toContain(SECRET);
  return r.lines;
}

function one(...ops: string[]): string {
  const lines = run(...ops);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

beforeAll(() => {
  f = makeFixture();
  probe = buildProbe(f.base);
  projectHash = hashTree(f.project);
  outsideHash = hashTree(f.outside);
});

afterAll(() => {
  // The read-only project and the files outside are byte-for-byte what they were.
  expect(hashTree(f.project)).toBe(projectHash);
  expect(hashTree(f.outside)).toBe(outsideHash);
  f.dispose();
});

afterEach(() => setBeforeOpenHookForTests(undefined));

describe('legal operations work', () => {
  it('lists the preopens at fds 3 and 4', () => {
    expect(one('preopens')).toBe('preopens: ok 3=/project 4=/plugin');
  });

  it('reads, lists and follows in-mount symlinks in /project', () => {
    expect(run('read', '/project', 'README.md', 'read', '/project', 'src/lib/util.c')).toEqual([
      'read: ok # hello project\\x0a',
      'read: ok int util;\\x0a',
    ]);
    expect(one('list', '/project', '.')).toBe(
      'list: ok README.md empty link-abs link-dir link-in link-out link-outdir src',
    );
    expect(one('read', '/project', 'link-in')).toBe('read: ok int main(void) { return 0; }\\x0a');
    expect(one('list', '/project', 'link-dir')).toBe('list: ok lib link-deep-out link-up main.c');
    expect(one('read', '/project', 'link-dir/lib/util.c')).toBe('read: ok int util;\\x0a');
    expect(one('read', '/project', 'src/link-up')).toBe('read: ok # hello project\\x0a');
    expect(one('read', '/project', 'src/../src/./lib/../../README.md')).toBe('read: ok # hello project\\x0a');
    expect(one('stat', '/project', 'link-in')).toMatch(/^stat: ok type=4 size=29$/);
    expect(one('lstat', '/project', 'link-out')).toMatch(/^stat: ok type=7 /);
    expect(one('libc', '/project/README.md')).toBe('libc: ok # hello project\\x0a');
  });

  it('writes, renames, links and removes inside /plugin', () => {
    const lines = run(
      'write',
      '/plugin',
      'new.txt',
      'hello',
      'read',
      '/plugin',
      'new.txt',
      'append',
      '/plugin',
      'new.txt',
      ' world',
      'read',
      '/plugin',
      'new.txt',
      'mkdir',
      '/plugin',
      'dir',
      'rename',
      '/plugin',
      'new.txt',
      '/plugin',
      'dir/moved.txt',
      'link',
      '/plugin',
      'dir/moved.txt',
      '/plugin',
      'hard.txt',
      'symlink',
      'dir/moved.txt',
      '/plugin',
      'soft',
      'read',
      '/plugin',
      'soft',
      'symlink',
      '../data.txt',
      '/plugin',
      'dir/up',
      'read',
      '/plugin',
      'dir/up',
      'settimes',
      '/plugin',
      'hard.txt',
      'fdmutate',
      '/plugin',
      'hard.txt',
      'unlink',
      '/plugin',
      'soft',
      'unlink',
      '/plugin',
      'dir/up',
      'unlink',
      '/plugin',
      'hard.txt',
      'unlink',
      '/plugin',
      'dir/moved.txt',
      'rmdir',
      '/plugin',
      'dir',
    ); // prettier-ignore
    expect(lines).toEqual([
      'write: ok 5',
      'read: ok hello',
      'write: ok 6',
      'read: ok hello world',
      'mkdir: ok',
      'rename: ok',
      'link: ok',
      'symlink: ok',
      'read: ok hello world',
      'symlink: ok',
      'read: ok plugin data\\x0a',
      'settimes: ok',
      'fdmutate: write=0 pwrite=0 setsize=0 settimes=0 allocate=0 regain=76 append=0 write2=0',
      'unlink: ok',
      'unlink: ok',
      'unlink: ok',
      'unlink: ok',
      'rmdir: ok',
    ]);
    expect(fs.readdirSync(f.plugin).sort()).toEqual([
      'dangle-out',
      'data.txt',
      'link-abs',
      'link-out',
      'link-outdir',
    ]);
  });

  it('reports rights: /project carries no mutating right, /plugin does', () => {
    const [ro, rw] = run('rights', '/project', 'rights', '/plugin');
    const [, roBase, roInh] = /^rights: ok (\d+) (\d+)$/.exec(ro!)!;
    const [, rwBase, rwInh] = /^rights: ok (\d+) (\d+)$/.exec(rw!)!;
    expect(BigInt(roBase!) & MUTATING_RIGHTS_MASK).toBe(0n);
    // inheriting: what Wasmtime reports for any directory (wasi-libc's open() trims its request to it,
    // so an open for writing reaches path_open and is refused there, readonly-open.test.ts)
    expect(BigInt(roInh!)).toBe(0xff7ffffn);
    expect(BigInt(rwBase!) & (1n << 9n)).not.toBe(0n); // path_create_directory
    expect(BigInt(rwInh!) & (1n << 6n)).not.toBe(0n); // fd_write
    expect(BigInt(roBase!) & (1n << 13n)).not.toBe(0n); // path_open
  });
});

describe('escapes fail', () => {
  it.each([
    ['..', '/project', '../outside/secret.txt'],
    ['.. after descending', '/project', 'src/lib/../../../outside/secret.txt'],
    ['.. from /plugin into /project', '/plugin', '../project/README.md'],
    ['absolute path', '/project', '/etc/passwd'],
    ['absolute path to the secret', '/project', '__SECRET__'],
    ['escaping relative symlink', '/project', 'link-out'],
    ['escaping symlink deeper down', '/project', 'src/link-deep-out'],
    ['escaping directory symlink', '/project', 'link-outdir/secret.txt'],
    ['absolute symlink', '/project', 'link-abs'],
    ['symlink then ..', '/project', 'link-dir/../../outside/secret.txt'],
  ])('%s', (_name, mount, p) => {
    const target = p === '__SECRET__' ? f.secretFile : p;
    const line = one('read', mount, target);
    expect(ESCAPE).toContain(errnoOf(line));
    expect(ESCAPE).toContain(errnoOf(one('stat', mount, target)));
  });

  it('mutations through escaping paths on the writable /plugin fail', () => {
    const lines = run(
      'write',
      '/plugin',
      '../outside/secret.txt',
      'pwned',
      'write',
      '/plugin',
      '../escaped.txt',
      'pwned',
      'write',
      '/plugin',
      'link-out',
      'pwned',
      'write',
      '/plugin',
      'link-abs',
      'pwned',
      'write',
      '/plugin',
      'link-outdir/secret.txt',
      'pwned',
      'write',
      '/plugin',
      'link-outdir/new.txt',
      'pwned',
      'write',
      '/plugin',
      'dangle-out',
      'pwned',
      'append',
      '/plugin',
      'link-out',
      'pwned',
      'truncate',
      '/plugin',
      'link-out',
      'mkdir',
      '/plugin',
      '../newdir',
      'mkdir',
      '/plugin',
      'link-outdir/newdir',
      'rmdir',
      '/plugin',
      'link-outdir/dir',
      'unlink',
      '/plugin',
      '../outside/secret.txt',
      'unlink',
      '/plugin',
      'link-outdir/secret.txt',
      'rename',
      '/plugin',
      'data.txt',
      '/plugin',
      '../escaped.txt',
      'rename',
      '/plugin',
      'data.txt',
      '/plugin',
      'link-outdir/escaped.txt',
      'rename',
      '/plugin',
      'link-outdir/secret.txt',
      '/plugin',
      'got.txt',
      'link',
      '/plugin',
      'link-outdir/secret.txt',
      '/plugin',
      'got.txt',
      'link',
      '/plugin',
      'data.txt',
      '/plugin',
      'link-outdir/planted.txt',
      'symlink',
      'data.txt',
      '/plugin',
      '../planted-link',
      'symlink',
      'data.txt',
      '/plugin',
      'link-outdir/planted-link',
      'settimes',
      '/plugin',
      'link-out',
      'settimes',
      '/plugin',
      'link-outdir/secret.txt',
    ); // prettier-ignore
    expect(lines).toHaveLength(23);
    for (const l of lines) expect(ESCAPE).toContain(errnoOf(l));
    expect(hashTree(f.outside)).toBe(outsideHash);
    expect(fs.existsSync(path.join(f.base, 'escaped.txt'))).toBe(false);
    expect(fs.existsSync(path.join(f.base, 'newdir'))).toBe(false);
    expect(fs.readFileSync(path.join(f.plugin, 'data.txt'), 'utf8')).toBe('plugin data\n');
  });

  it('reads through escaping symlinks in /plugin fail too', () => {
    for (const p of [
      'link-out',
      'link-abs',
      'link-outdir/secret.txt',
      '../outside/secret.txt',
      f.secretFile,
    ]) {
      expect(ESCAPE).toContain(errnoOf(one('read', '/plugin', p)));
    }
    expect(ESCAPE).toContain(errnoOf(one('list', '/plugin', 'link-outdir')));
  });

  it('listing through an escaping directory symlink fails', () => {
    expect(ESCAPE).toContain(errnoOf(one('list', '/project', 'link-outdir')));
    expect(ESCAPE).toContain(errnoOf(one('list', '/project', '..')));
  });

  it('wasi-libc absolute paths cannot leave the preopens', () => {
    for (const p of ['/etc/passwd', '/project/../outside/secret.txt', f.secretFile, '/project/link-out']) {
      expect(errnoOf(one('libc', p))).not.toBe(0);
    }
  });

  it('creating an escaping symlink fails (relative, absolute, into the other mount)', () => {
    for (const target of [
      '../outside/secret.txt',
      '../project/README.md',
      f.secretFile,
      '/etc',
      'a/../../x',
    ]) {
      expect(ESCAPE).toContain(errnoOf(one('symlink', target, '/plugin', 'evil')));
    }
    expect(fs.existsSync(path.join(f.plugin, 'evil'))).toBe(false);
  });

  it('hard links across mounts fail', () => {
    const lines = run(
      'link',
      '/project',
      'README.md',
      '/plugin',
      'stolen',
      'link',
      '/plugin',
      'data.txt',
      '/project',
      'planted',
    ); // prettier-ignore
    for (const l of lines) expect([...DENIED, Errno.XDEV]).toContain(errnoOf(l));
    expect(fs.existsSync(path.join(f.plugin, 'stolen'))).toBe(false);
  });

  it('every mutating call on the read-only /project fails', () => {
    const lines = run(
      'write',
      '/project',
      'README.md',
      'pwned',
      'write',
      '/project',
      'new.txt',
      'pwned',
      'create',
      '/project',
      'new2.txt',
      'pwned',
      'overwrite',
      '/project',
      'README.md',
      'pwned',
      'append',
      '/project',
      'README.md',
      'pwned',
      'truncate',
      '/project',
      'README.md',
      'mkdir',
      '/project',
      'newdir',
      'rmdir',
      '/project',
      'empty',
      'unlink',
      '/project',
      'README.md',
      'unlink',
      '/project',
      'link-out',
      'rename',
      '/project',
      'README.md',
      '/project',
      'README2.md',
      'rename',
      '/project',
      'src',
      '/project',
      'empty/src',
      'rename',
      '/project',
      'README.md',
      '/plugin',
      'moved.md',
      'link',
      '/project',
      'README.md',
      '/project',
      'hard',
      'symlink',
      'README.md',
      '/project',
      'soft',
      'settimes',
      '/project',
      'README.md',
      'settimes',
      '/project',
      'link-in',
    ); // prettier-ignore
    expect(lines).toHaveLength(17);
    // Wasmtime (and so the fledge CLI) answers NotPermitted for a read-only preopen
    for (const l of lines) expect(errnoOf(l)).toBe(Errno.PERM);
    // an open asking for every right /project reports is refused at the open (EPERM, as Wasmtime);
    // fd-level mutations through a read-only descriptor: readonly-open.test.ts
    expect(one('fdmutate', '/project', 'README.md')).toBe(`fdmutate: errno ${Errno.PERM}`);
    // ... and on the preopened directory itself
    const dir = one('dirmutate', '/project');
    const [, settimes, regain, reopenRw, reopen, inherited] =
      /^dirmutate: settimes=(\d+) regain=(\d+) reopen-rw=(\d+) reopen=(\d+) inherited=(\d+)$/.exec(dir)!;
    expect(DENIED).toContain(Number(settimes));
    expect(Number(regain)).toBe(Errno.NOTCAPABLE);
    expect(DENIED).toContain(Number(reopenRw));
    expect(Number(reopen)).toBe(0);
    expect(BigInt(inherited!)).toBe(0xff7ffffn); // reported as Wasmtime does; enforced by the mount
    expect(hashTree(f.project)).toBe(projectHash);
  });

  it('out-of-range pointers are EFAULT, never a host exception', () => {
    expect(one('efault')).toBe(
      'efault: write=21 nwritten=21 read=21 random=21 clock=21 args=21 openpath=21 openret=21 prestat=21',
    );
  });
});

describe('TOCTOU: a component swapped for a symlink between check and open', () => {
  let race: string;
  beforeAll(() => {
    race = path.join(f.base, 'race');
    fs.mkdirSync(path.join(race, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(race, 'sub', 'inner.txt'), 'safe\n');
    fs.writeFileSync(path.join(race, 'file.txt'), 'safe\n');
  });
  const mounts = () => [{ guestPath: '/race', hostPath: race, readOnly: true }];

  it('an intermediate directory swapped after lstat is not followed', () => {
    let swapped = false;
    setBeforeOpenHookForTests((p) => {
      if (!swapped && p === path.join(race, 'sub')) {
        swapped = true;
        fs.renameSync(path.join(race, 'sub'), path.join(race, 'sub.orig'));
        fs.symlinkSync(path.join(f.outside, 'dir'), path.join(race, 'sub'));
      }
    });
    try {
      const r = runProbe(probe, mounts(), ['read', '/race', 'sub/inner.txt']);
      expect(swapped).toBe(true);
      expect(r.stdout).not.toContain(SECRET);
      expect(errnoOf(r.lines[0])).not.toBe(0);
    } finally {
      fs.unlinkSync(path.join(race, 'sub'));
      fs.renameSync(path.join(race, 'sub.orig'), path.join(race, 'sub'));
    }
  });

  it('an intermediate directory replaced by another directory is refused (inode changed)', () => {
    let swapped = false;
    setBeforeOpenHookForTests((p) => {
      if (!swapped && p === path.join(race, 'sub')) {
        swapped = true;
        fs.renameSync(path.join(race, 'sub'), path.join(race, 'sub.orig'));
        fs.mkdirSync(path.join(race, 'sub'));
        fs.writeFileSync(path.join(race, 'sub', 'inner.txt'), 'other\n');
      }
    });
    try {
      const r = runProbe(probe, mounts(), ['read', '/race', 'sub/inner.txt']);
      expect(swapped).toBe(true);
      expect(ESCAPE).toContain(errnoOf(r.lines[0]));
    } finally {
      fs.rmSync(path.join(race, 'sub'), { recursive: true });
      fs.renameSync(path.join(race, 'sub.orig'), path.join(race, 'sub'));
    }
  });

  it('a final component swapped for a symlink is not followed', () => {
    let swapped = false;
    setBeforeOpenHookForTests((p) => {
      if (!swapped && p === path.join(race, 'file.txt')) {
        swapped = true;
        fs.renameSync(path.join(race, 'file.txt'), path.join(race, 'file.orig'));
        fs.symlinkSync(f.secretFile, path.join(race, 'file.txt'));
      }
    });
    try {
      const r = runProbe(probe, mounts(), ['read', '/race', 'file.txt']);
      expect(swapped).toBe(true);
      expect(r.stdout).not.toContain(SECRET);
      expect(errnoOf(r.lines[0])).toBe(Errno.LOOP);
    } finally {
      fs.unlinkSync(path.join(race, 'file.txt'));
      fs.renameSync(path.join(race, 'file.orig'), path.join(race, 'file.txt'));
    }
  });

  it('a host process swapping a directory for a symlink in a loop never lets a read escape', async () => {
    const script = `
      const fs = require('fs'); const p = require('path');
      const race = ${JSON.stringify(race)}, target = ${JSON.stringify(path.join(f.outside, 'dir'))};
      const end = Date.now() + 60000;
      const pause = new Int32Array(new SharedArrayBuffer(4));
      let n = 0;
      while (Date.now() < end) {
        fs.renameSync(p.join(race, 'sub'), p.join(race, 'sub.real'));
        fs.symlinkSync(target, p.join(race, 'sub'));
        fs.unlinkSync(p.join(race, 'sub'));
        fs.symlinkSync('../outside/dir', p.join(race, 'sub'));
        fs.unlinkSync(p.join(race, 'sub'));
        fs.renameSync(p.join(race, 'sub.real'), p.join(race, 'sub'));
        if (++n % 4 === 0) Atomics.wait(pause, 0, 0, 1); // let some operations through unswapped
      }`;
    const swapper = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const r = runProbe(probe, mounts(), ['repeat', '/race', 'sub/inner.txt', '3000']);
      expect(r.stdout).not.toContain(SECRET);
      const m = /^repeat: ok ok=(\d+) failed=(\d+) leaked=(\d+)$/.exec(r.lines[0] ?? '');
      expect(m).not.toBeNull();
      expect(Number(m![3])).toBe(0);
      expect(Number(m![1]) + Number(m![2])).toBe(3000);
    } finally {
      swapper.kill('SIGKILL');
      await new Promise((r) => swapper.once('exit', r));
      if (fs.existsSync(path.join(race, 'sub.real'))) {
        fs.rmSync(path.join(race, 'sub'), { force: true });
        fs.renameSync(path.join(race, 'sub.real'), path.join(race, 'sub'));
      }
    }
  });
});

describe('TOCTOU on a writable mount', () => {
  let race: string;
  beforeAll(() => {
    race = path.join(f.base, 'race-rw');
    fs.mkdirSync(path.join(race, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(race, 'sub', 'inner.txt'), 'safe\n');
  });
  const mounts = () => [{ guestPath: '/race', hostPath: race, readOnly: false }];

  it('unlink through a directory swapped for an escaping symlink does not touch the outside', () => {
    let swapped = false;
    setBeforeOpenHookForTests((p) => {
      if (!swapped && p === path.join(race, 'sub')) {
        swapped = true;
        fs.renameSync(path.join(race, 'sub'), path.join(race, 'sub.orig'));
        fs.symlinkSync(path.join(f.outside, 'dir'), path.join(race, 'sub'));
      }
    });
    try {
      const r = runProbe(probe, mounts(), [
        'unlink',
        '/race',
        'sub/inner.txt',
        'write',
        '/race',
        'sub/inner.txt',
        'x',
      ]);
      expect(swapped).toBe(true);
      expect(errnoOf(r.lines[0])).not.toBe(0);
      expect(errnoOf(r.lines[1])).not.toBe(0);
      expect(hashTree(f.outside)).toBe(outsideHash);
    } finally {
      fs.unlinkSync(path.join(race, 'sub'));
      fs.renameSync(path.join(race, 'sub.orig'), path.join(race, 'sub'));
    }
  });

  it('a host process swapping a directory for a symlink in a loop never lets a write escape', async () => {
    const script = `
      const fs = require('fs'); const p = require('path');
      const race = ${JSON.stringify(race)}, target = ${JSON.stringify(path.join(f.outside, 'dir'))};
      const end = Date.now() + 60000;
      const pause = new Int32Array(new SharedArrayBuffer(4));
      let n = 0;
      while (Date.now() < end) {
        fs.renameSync(p.join(race, 'sub'), p.join(race, 'sub.real'));
        fs.symlinkSync(target, p.join(race, 'sub'));
        fs.unlinkSync(p.join(race, 'sub'));
        fs.renameSync(p.join(race, 'sub.real'), p.join(race, 'sub'));
        if (++n % 4 === 0) Atomics.wait(pause, 0, 0, 1); // let some operations through unswapped
      }`;
    const swapper = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const r = runProbe(probe, mounts(), ['repeatw', '/race', 'sub/planted.txt', '2000']);
      const m = /^repeatw: ok ok=(\d+) failed=(\d+)$/.exec(r.lines[0] ?? '');
      expect(m).not.toBeNull();
      expect(Number(m![1]) + Number(m![2])).toBe(2000);
      expect(fs.existsSync(path.join(f.outside, 'dir', 'planted.txt'))).toBe(false);
      expect(hashTree(f.outside)).toBe(outsideHash);
    } finally {
      swapper.kill('SIGKILL');
      await new Promise((r) => swapper.once('exit', r));
      if (fs.existsSync(path.join(race, 'sub.real'))) {
        fs.rmSync(path.join(race, 'sub'), { force: true });
        fs.renameSync(path.join(race, 'sub.real'), path.join(race, 'sub'));
      }
    }
  });
});

describe('host fds', () => {
  it('no host fd leaks, whether the operations succeed or fail', () => {
    if (!fs.existsSync('/proc/self/fd')) return;
    const before = fs.readdirSync('/proc/self/fd').length;
    run(
      'read',
      '/project',
      'src/lib/util.c',
      'read',
      '/project',
      'src/lib/../../link-out',
      'list',
      '/project',
      'link-dir',
      'stat',
      '/project',
      'src/lib/nonexistent',
      'write',
      '/plugin',
      'link-outdir/x',
      'y',
      'mkdir',
      '/plugin',
      'a',
      'write',
      '/plugin',
      'a/b.txt',
      'y',
      'unlink',
      '/plugin',
      'a/b.txt',
      'rmdir',
      '/plugin',
      'a',
    ); // prettier-ignore
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
  });
});

describe('no mounts', () => {
  it('the probe sees no files at all', () => {
    const r = runProbe(
      probe,
      [],
      ['preopens', 'fd3', 'libc', '/etc/passwd', 'libc', f.secretFile, 'libc', 'README.md', 'libc', '.'],
    ); // prettier-ignore
    expect(r.lines[0]).toBe('preopens: ok');
    expect(errnoOf(r.lines[1])).toBe(Errno.BADF);
    for (const l of r.lines.slice(2)) expect(errnoOf(l)).not.toBe(0);
    expect(r.lines).toHaveLength(6);
    expect(r.stdout).not.toContain(SECRET);
  });
});
