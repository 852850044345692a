// Path resolution beneath a directory capability, component by component, as cap-std does it:
// every intermediate directory is opened (O_NOFOLLOW) relative to the previous one, `..` pops back
// to an already-open ancestor and can never go above the starting directory, symlinks are expanded
// by reading them and continuing the walk (absolute targets, or ones that climb out, fail), and the
// result is an open parent directory plus one final component name.
import fs from 'node:fs';
import { Errno, ESCAPE_ERRNO, WasiError } from './errno.js';
import type { DirEntry } from './fd-table.js';
import { at, closeQuietly, type HostDir, isInside, openAt, realPathOfFd } from './host.js';

export const MAX_SYMLINK_EXPANSIONS = 40;

export interface Resolved {
  /** The directory holding the final component (open until release()). */
  dir: HostDir;
  /** One path component, or '.' for the directory itself. */
  name: string;
  /** The guest path ended in '/'. */
  trailingSlash: boolean;
  release(): void;
}

export interface ResolveOptions {
  /** Follow a symlink in the final component. */
  follow: boolean;
  /** A trailing '/' also follows a final symlink (open-like calls). */
  slashFollows?: boolean;
}

function split(path: string): string[] {
  return path.split('/').filter((c) => c !== '');
}

/** Rejects paths that can never be valid guest paths. */
export function checkGuestPath(path: string): void {
  if (path.includes('\0')) throw new WasiError(Errno.ILSEQ);
  if (path.length === 0) throw new WasiError(Errno.NOENT);
  if (path.startsWith('/')) throw new WasiError(ESCAPE_ERRNO);
}

export function resolve(base: DirEntry, path: string, opts: ResolveOptions): Resolved {
  checkGuestPath(path);
  const stack: HostDir[] = [base.dir];
  const opened: number[] = [];
  const release = (): void => {
    for (const fd of opened) closeQuietly(fd);
    opened.length = 0;
  };
  const top = (): HostDir => stack[stack.length - 1]!;
  let queue = split(path);
  let trailingSlash = path.endsWith('/');
  let expansions = 0;
  try {
    if (queue.length === 0) return { dir: base.dir, name: '.', trailingSlash, release };
    for (;;) {
      const comp = queue.shift()!;
      const last = queue.length === 0;
      if (comp === '.') {
        if (last) return { dir: top(), name: '.', trailingSlash, release };
        continue;
      }
      if (comp === '..') {
        if (stack.length === 1) throw new WasiError(ESCAPE_ERRNO);
        // Close what `..` leaves behind: `d/../d/../...` must not hold one host fd per component.
        const left = stack.pop()!;
        const i = opened.lastIndexOf(left.fd);
        if (i >= 0) {
          opened.splice(i, 1);
          closeQuietly(left.fd);
        }
        if (last) return { dir: top(), name: '.', trailingSlash, release };
        continue;
      }
      const dir = top();
      let st: fs.BigIntStats;
      try {
        st = fs.lstatSync(at(dir, comp), { bigint: true });
      } catch (e) {
        if (last && (e as NodeJS.ErrnoException).code === 'ENOENT') {
          return { dir, name: comp, trailingSlash, release };
        }
        throw e;
      }
      // A hidden folder (the config dir under a project) does not exist for the guest.
      if (base.mount.hidden?.has(`${st.dev}:${st.ino}`)) throw new WasiError(Errno.NOENT);
      if (st.isSymbolicLink()) {
        if (last && !opts.follow && !(trailingSlash && opts.slashFollows))
          return { dir, name: comp, trailingSlash, release };
        if (++expansions > MAX_SYMLINK_EXPANSIONS) throw new WasiError(Errno.LOOP);
        const target = fs.readlinkSync(at(dir, comp));
        if (target.startsWith('/')) throw new WasiError(ESCAPE_ERRNO);
        if (target === '') throw new WasiError(Errno.NOENT);
        const parts = split(target);
        if (last && target.endsWith('/')) trailingSlash = true;
        queue = [...parts, ...queue];
        if (queue.length === 0) return { dir, name: '.', trailingSlash, release };
        continue;
      }
      if (last) return { dir, name: comp, trailingSlash, release };
      if (!st.isDirectory()) throw new WasiError(Errno.NOTDIR);
      const fd = openAt(dir, comp, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY, base.mount, {
        dev: st.dev,
        ino: st.ino,
      });
      opened.push(fd);
      stack.push({ fd, path: `${dir.path}/${comp}` });
    }
  } catch (e) {
    release();
    throw e;
  }
}

/** Runs `fn` on the resolved path and always releases the walk's directories. */
export function withResolved<T>(
  base: DirEntry,
  path: string,
  opts: ResolveOptions,
  fn: (r: Resolved) => T,
): T {
  const r = resolve(base, path, opts);
  try {
    return fn(r);
  } finally {
    r.release();
  }
}

/**
 * Would a symlink with this `target`, created in `dir`, point outside the mount? Judged
 * lexically from the link's real position below the mount root.
 */
export function symlinkEscapes(dir: HostDir, mountRoot: string, target: string): boolean {
  if (target.startsWith('/') || target.includes('\0')) return true;
  const real = realPathOfFd(dir.fd, dir.path);
  if (!isInside(mountRoot, real)) return true;
  let depth = split(real.slice(mountRoot.length)).length;
  for (const c of split(target)) {
    if (c === '.') continue;
    if (c === '..') {
      depth--;
      if (depth < 0) return true;
    } else depth++;
  }
  return false;
}
