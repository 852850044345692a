// Setting file times with nanosecond precision and per-field "omit" / "now".
// Node's utimes/futimes take floating-point seconds (about 240 ns of precision today) and cannot
// leave one of the two times unchanged, so on Linux we ask coreutils `touch` (utimensat with
// UTIME_OMIT underneath) through /proc/<pid>/fd, and fall back to Node otherwise.
import type { spawnSync as SpawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Fstflags } from './constants.js';
import { Errno, WasiError } from './errno.js';

export type TimeSpec = { kind: 'omit' } | { kind: 'set'; ns: bigint };

/** The host's wall clock: *_NOW stamps files with real time even under the virtual clock, as the
 * kernel does for every write anyway (file times are facts of the host file system). */
function hostNow(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

export function timeSpecs(
  atim: bigint,
  mtim: bigint,
  fst: number,
  now: () => bigint = hostNow,
): [TimeSpec, TimeSpec] {
  if (fst & ~0xf) throw new WasiError(Errno.INVAL);
  if (fst & Fstflags.ATIM && fst & Fstflags.ATIM_NOW) throw new WasiError(Errno.INVAL);
  if (fst & Fstflags.MTIM && fst & Fstflags.MTIM_NOW) throw new WasiError(Errno.INVAL);
  const pick = (set: number, nowFlag: number, v: bigint): TimeSpec =>
    fst & set ? { kind: 'set', ns: v } : fst & nowFlag ? { kind: 'set', ns: now() } : { kind: 'omit' };
  return [pick(Fstflags.ATIM, Fstflags.ATIM_NOW, atim), pick(Fstflags.MTIM, Fstflags.MTIM_NOW, mtim)];
}

const MAX_NS = 253_402_300_799n * 1_000_000_000n; // year 9999

function stamp(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const f = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `@${s}.${f}`;
}

const TOUCH =
  process.platform === 'linux' ? ['/usr/bin/touch', '/bin/touch'].find((p) => fs.existsSync(p)) : undefined;
let touchWorks = TOUCH !== undefined;

/** node:child_process, loaded at the first time set: it brings net and dgram with it (~1 ms of CPU
 * for every run's worker, test/bench/trivial-run.ts), and few runs set a file's times. */
let spawnSync: typeof SpawnSync | undefined;
function spawner(): typeof SpawnSync {
  spawnSync ??= (createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process'))
    .spawnSync;
  return spawnSync;
}

function viaTouch(childPath: string, noFollow: boolean, a: TimeSpec, m: TimeSpec): boolean {
  if (!touchWorks) return false;
  const runs: string[][] = [];
  if (a.kind === 'set' && m.kind === 'set' && a.ns === m.ns) runs.push(['-d', stamp(a.ns)]);
  else {
    if (a.kind === 'set') runs.push(['-a', '-d', stamp(a.ns)]);
    if (m.kind === 'set') runs.push(['-m', '-d', stamp(m.ns)]);
  }
  for (const r of runs) {
    const args = ['-c', ...(noFollow ? ['-h'] : []), ...r, '--', childPath];
    const res = spawner()(TOUCH!, args, { stdio: 'ignore', env: { LC_ALL: 'C' } });
    if (res.error) {
      touchWorks = false;
      return false;
    }
    // e.g. /proc/<pid>/fd not reachable from a child (non-dumpable process): use Node's way.
    if (res.status !== 0) return false;
  }
  return true;
}

function seconds(t: TimeSpec, currentNs: bigint): number {
  const ns = t.kind === 'set' ? t.ns : currentNs;
  return Number(ns / 1000n) / 1e6;
}

/** Sets times on an open fd (`childPath` names it for a child process when possible). */
export function setFdTimes(fd: number, childPath: string | undefined, a: TimeSpec, m: TimeSpec): void {
  if (a.kind === 'omit' && m.kind === 'omit') return;
  checkRange(a, m);
  if (childPath && viaTouch(childPath, false, a, m)) return;
  const st = fs.fstatSync(fd, { bigint: true });
  fs.futimesSync(fd, seconds(a, st.atimeNs), seconds(m, st.mtimeNs));
}

/** Sets times on a path (`hostPath` for this process, `childPath` for a child). */
export function setPathTimes(
  hostPath: string,
  childPath: string,
  noFollow: boolean,
  a: TimeSpec,
  m: TimeSpec,
): void {
  if (a.kind === 'omit' && m.kind === 'omit') {
    fs.lstatSync(hostPath);
    return;
  }
  checkRange(a, m);
  fs.lstatSync(hostPath); // ENOENT etc. with the right errno before anything else
  if (viaTouch(childPath, noFollow, a, m)) return;
  const st = noFollow ? fs.lstatSync(hostPath, { bigint: true }) : fs.statSync(hostPath, { bigint: true });
  const set = noFollow ? fs.lutimesSync : fs.utimesSync;
  set(hostPath, seconds(a, st.atimeNs), seconds(m, st.mtimeNs));
}

function checkRange(a: TimeSpec, m: TimeSpec): void {
  for (const t of [a, m]) if (t.kind === 'set' && t.ns > MAX_NS) throw new WasiError(Errno.INVAL);
}
