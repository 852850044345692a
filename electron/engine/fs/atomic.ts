// Crash-safe file replacement and a cross-process lock file, shared by the store and the installer.
import { constants, promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { nodeCrypto } from '../../sandbox/lazy-crypto.js';
import { errnoCode, HostError } from '../host/errors.js';
import { createPathQueue } from './path-queue.js';

export interface AtomicWriteOptions {
  mode?: number;
  /** The temp file to write first (default: `<name>.tmp-<pid>-<random>` beside the target); replaced if left over. */
  tempPath?: string;
  /** Called after the temp file is complete and synced, before it is renamed over the target; throwing aborts the write (the temp file is removed). */
  beforeRename?: (tempPath: string) => Promise<void> | void;
}

/** The prefix of the temp files `writeFileAtomic` leaves behind if the process dies mid-write. */
export function tempPrefix(target: string): string {
  return `${basename(target)}.tmp-`;
}

/**
 * Replaces `target` with `data` so that a reader (or a crash at any point) sees either the old
 * content or the new, never a mix: write a temp file beside it, fsync, rename over, fsync the dir.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(target);
  const temp =
    options.tempPath ??
    join(dir, `${tempPrefix(target)}${process.pid}-${nodeCrypto().randomBytes(6).toString('hex')}`);
  if (options.tempPath) await fsp.rm(temp, { force: true });
  const handle = await fsp.open(temp, 'wx', options.mode ?? 0o644);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.beforeRename) await options.beforeRename(temp);
    await fsp.rename(temp, target);
  } catch (err) {
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}

/** fsync a directory so a rename in it survives a power loss (a no-op where the OS refuses). */
export async function syncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Windows cannot open directories; some file systems refuse fsync on them. Best effort.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export interface LockOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** A lock older than this is taken over even if its pid looks alive (pid reuse; default 60 s). */
  staleMs?: number;
}

interface LockInfo {
  pid: number;
  host: string;
  nonce: string;
  at: number;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return errnoCode(err) === 'EPERM';
  }
}

async function readLockInfo(
  path: string,
): Promise<{ info: LockInfo | null; raw: string; mtimeMs: number } | null> {
  try {
    const [raw, st] = await Promise.all([fsp.readFile(path, 'utf8'), fsp.stat(path)]);
    let info: LockInfo | null = null;
    try {
      const parsed = JSON.parse(raw) as Partial<LockInfo>;
      if (
        typeof parsed.pid === 'number' &&
        typeof parsed.host === 'string' &&
        typeof parsed.nonce === 'string'
      ) {
        info = { pid: parsed.pid, host: parsed.host, nonce: parsed.nonce, at: Number(parsed.at) || 0 };
      }
    } catch {
      // Half-written by a holder that died between create and write: judged by its age below.
    }
    return { info, raw, mtimeMs: st.mtimeMs };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}

function isStale(lock: { info: LockInfo | null; mtimeMs: number }, staleMs: number): boolean {
  const age = Date.now() - lock.mtimeMs;
  if (age > staleMs) return true;
  if (!lock.info) return age > 2_000;
  if (lock.info.host !== hostname()) return false;
  return !pidAlive(lock.info.pid);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Removes a stale lock without the classic race (two waiters both see it stale; the first removes it
 * and takes a fresh lock; the second then deletes the FRESH lock). Breaking goes through a second
 * O_EXCL file, and the lock is re-read under it and removed only if it is still the stale one.
 */
async function breakStaleLock(path: string, seenRaw: string): Promise<void> {
  const breaker = `${path}.break`;
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(breaker, 'wx');
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    // Someone else is breaking it. A breaker left by a crash is cleared once old.
    const st = await fsp.stat(breaker).catch(() => null);
    if (st && Date.now() - st.mtimeMs > 5_000) await fsp.rm(breaker, { force: true });
    return;
  }
  try {
    await handle.close();
    const now = await fsp.readFile(path, 'utf8').catch(() => null);
    if (now === seenRaw) await fsp.rm(path, { force: true });
  } finally {
    await fsp.rm(breaker, { force: true });
  }
}

/** In-process queue per lock path, so concurrent callers in one process do not spin on the file. */
const inProcess = createPathQueue();

/**
 * Runs `fn` while holding an exclusive lock file at `path` (created with O_EXCL, holding our pid).
 * Works across processes; a lock left by a dead process (same host) is detected and taken over.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  return inProcess(path, async () => {
    const nonce = await acquire(path, options);
    try {
      return await fn();
    } finally {
      await releaseLock(path, nonce);
    }
  });
}

async function acquire(path: string, options: LockOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 60_000;
  const nonce = nodeCrypto().randomBytes(8).toString('hex');
  const body = JSON.stringify({
    pid: process.pid,
    host: hostname(),
    nonce,
    at: Date.now(),
  } satisfies LockInfo);
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    try {
      const handle = await fsp.open(path, 'wx');
      try {
        await handle.writeFile(body);
      } finally {
        await handle.close();
      }
      return nonce;
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    const current = await readLockInfo(path);
    if (current && isStale(current, staleMs)) {
      await breakStaleLock(path, current.raw);
      continue;
    }
    if (Date.now() > deadline) {
      const who = current?.info ? ` (held by process ${current.info.pid})` : '';
      throw new HostError(
        'lock_timeout',
        `Another process is still using ${basename(dirname(path))}/${basename(path, '.lock')}${who}; gave up after ${Math.round(timeoutMs / 1000)} s.`,
      );
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
}

async function releaseLock(path: string, nonce: string): Promise<void> {
  const current = await readLockInfo(path).catch(() => null);
  // Remove only our own lock: if it was (wrongly) taken over, leave the new holder's alone.
  if (current?.info?.nonce === nonce) await fsp.rm(path, { force: true });
}
