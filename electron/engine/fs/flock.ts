// An advisory whole-file lock that the fledge CLI honours: flock(2) on Linux and macOS, LockFileEx on
// Windows, the calls Rust's File::lock / lock_shared make (the CLI locks `state.json.lock` this way).
// Node has no flock, so this goes through `fs-ext` (a small native module, flock via nan; on Windows
// it maps flock to LockFileEx). Why not the others: `fs-native-extensions` locks with fcntl OFD
// locks on Linux, which do NOT exclude flock(2) holders; `proper-lockfile` / O_EXCL lock files are
// a different protocol the CLI ignores; `flock(1)` exists on Linux only.
//
// The lock is taken with LOCK_NB in a short back-off loop (never blocking a libuv thread while
// another process holds it), and the kernel drops it if this process dies: no stale locks.
import { constants, promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { findUp } from '../../sandbox/find-up.js';
import { errnoCode, HostError } from '../host/errors.js';
import { createPathQueue } from './path-queue.js';

interface FsExt {
  flockSync(fd: number, flags: FlockFlag): void;
}
type FlockFlag = 'shnb' | 'exnb' | 'un';

/** fs-ext's binding itself (its build/Release/fs_ext.node): what fs-ext.js wraps. */
interface FsExtBinding {
  flock(fd: number, operation: number): void;
  constants: { LOCK_SH: number; LOCK_EX: number; LOCK_NB: number; LOCK_UN: number };
}

let fsExt: FsExt | null = null;

/**
 * fs-ext as npm built it, for the Node that installed it; on another Node (the pinned one the CLI runs
 * on: build/cli-launcher.mjs), the binding build/native.mjs built for that Node's ABI, called as
 * fs-ext.js calls it.
 */
function loadFsExt(): FsExt {
  // createRequire, not `require`: the bundler must leave the native module in node_modules.
  const req = createRequire(import.meta.url);
  try {
    return req('fs-ext') as FsExt;
  } catch (err) {
    // dist/ and electron/engine/fs/ (find-up.ts)
    const own = findUp(
      import.meta.url,
      join('native', 'fs-ext', `node-abi-${process.versions.modules}`, 'fs_ext.node'),
      3,
    );
    if (own === undefined) throw err;
    const b = req(own) as FsExtBinding;
    const { LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN } = b.constants;
    const operation = { shnb: LOCK_SH | LOCK_NB, exnb: LOCK_EX | LOCK_NB, un: LOCK_UN };
    return { flockSync: (fd, flag) => b.flock(fd, operation[flag]) };
  }
}

function binding(): FsExt {
  if (fsExt) return fsExt;
  try {
    fsExt = loadFsExt();
  } catch (err) {
    throw new HostError(
      'lock_unavailable',
      `The file-lock module (fs-ext) is not built, so the plugin store cannot be written safely beside the fledge CLI. Run "npm rebuild fs-ext" (it needs a C++ compiler and Python). (${(err as Error).message})`,
    );
  }
  return fsExt;
}

export interface FlockOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** A shared (read) lock instead of an exclusive one. */
  shared?: boolean;
}

const waited = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Per path, so callers in one process queue instead of spinning on the same lock. */
const inProcess = createPathQueue();

/**
 * Runs `fn` holding flock on `path` (created if missing, never through a symlink). Throws a HostError
 * `lock_timeout` naming the file when another process holds it past the timeout.
 */
export async function withFlock<T>(
  path: string,
  fn: () => Promise<T>,
  options: FlockOptions = {},
): Promise<T> {
  return inProcess(path, async () => {
    const handle = await openLockFile(path);
    try {
      await acquire(handle.fd, path, options);
      try {
        return await fn();
      } finally {
        binding().flockSync(handle.fd, 'un');
      }
    } finally {
      await handle.close();
    }
  });
}

async function openLockFile(path: string): Promise<fsp.FileHandle> {
  // O_NOFOLLOW: a plugin that ships `state.json.lock` as a link must not make us create or open
  // a file elsewhere. (Windows has no O_NOFOLLOW; links there need privileges to create.)
  const nofollow = process.platform === 'win32' ? 0 : constants.O_NOFOLLOW;
  try {
    return await fsp.open(path, constants.O_WRONLY | constants.O_CREAT | nofollow, 0o644);
  } catch (err) {
    if (errnoCode(err) === 'ELOOP')
      throw new HostError('lock_link', `${path} is a link; the lock file must be a plain file. Remove it.`);
    throw err;
  }
}

async function acquire(fd: number, path: string, options: FlockOptions): Promise<void> {
  const fl = binding();
  const flag = options.shared ? 'shnb' : 'exnb';
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let delay = 1;
  for (;;) {
    try {
      fl.flockSync(fd, flag);
      return;
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EACCES') throw err;
    }
    if (Date.now() > deadline)
      throw new HostError(
        'lock_timeout',
        `Another program (the fledge CLI or another run) is still writing ${basename(dirname(path))}/${basename(path, '.lock')}; gave up after ${waited(options.timeoutMs ?? 10_000)}.`,
      );
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 25);
  }
}
