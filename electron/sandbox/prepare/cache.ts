// loadPrepared: the prepared (instrumented) module cached beside the plugin binary, like the CLI's .cwasm.
//   <binary>.fuel.wasm   the prepared bytes
//   <binary>.fuel.stamp  three lines: SHA-256 of the source .wasm, PREPARE_ENGINE_VERSION, and an
//                        HMAC-SHA256 of the prepared bytes (and the first two lines) under a secret key;
//                        then, once the binary has been still for a while, a fourth: its file status
//                        (binaryStatus), so a run can tell the binary is unchanged without hashing it
// Any mismatch or unreadable file means: prepare again from the source, with a warning. Writes are atomic.
// The plugin folder is the plugin author's: they can ship both cache files. A plain hash in the stamp
// would let them ship an unmetered "prepared" module with a stamp that matches it, so the stamp is
// keyed with a secret they cannot know (the engine's, kept outside plugin folders; by default one
// made per process). Cache files are read only when they are regular files (not symlinks, FIFOs,
// devices) of a sane size, and writes replace them (a rename never writes through a symlink); with
// `root` (the plugin folder), nothing is kept when the binary's folder is a link out of it.

import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { nodeCrypto } from '../lazy-crypto.js';
import {
  FUEL_IMPORT_MODULE,
  FUEL_IMPORT_NAME,
  PREPARE_ENGINE_VERSION,
  PREPARED_SUFFIX,
  STAMP_SUFFIX,
} from './constants.js';
import { ModuleError } from './errors.js';
import { instrumentFuel } from './fuel.js';
import { EXT_GLOBAL, readImports, SEC_IMPORT, splitSections } from './sections.js';
import { checkHeader } from './validate.js';

export interface PreparedModule {
  /** Instrumented bytes (memory cap NOT applied; apply capMemory per run). */
  bytes: Uint8Array;
  fromCache: boolean;
  /**
   * The stamp's HMAC of `bytes` under the key, when the prepared copy is kept beside the binary: what
   * the compiled-code cache binds to. Absent when caches are not kept there: the binary is reached
   * through a link out of the plugin, or its prepared copy could not be saved.
   */
  mac?: string;
  /** Plain-words warnings, e.g. "stale cache rebuilt". */
  warnings: string[];
}

export function sha256(bytes: Uint8Array): string {
  return nodeCrypto().createHash('sha256').update(bytes).digest('hex');
}

export interface LoadPreparedOptions {
  /** The secret that keys cache stamps (at least 16 bytes); default: one made for this process. */
  key?: Uint8Array;
  /**
   * The plugin folder. The cache is kept only when the binary's folder, links resolved, is inside it:
   * a folder in the plugin that is a link to elsewhere must not get files written into it.
   */
  root?: string;
  /**
   * The SHA-256 (hex) the binary had when it was checked (consent): bytes that differ are refused,
   * so what runs is exactly what was checked, even if the file was swapped in between.
   */
  expectSha256?: string;
}

/** Whether `wasmPath`'s folder, links resolved, is `root` or inside it (links in `root` itself resolved too). */
function insideRoot(wasmPath: string, root: string): boolean {
  try {
    const dir = realpathSync(dirname(resolve(wasmPath)));
    const top = realpathSync(resolve(root));
    return dir === top || dir.startsWith(top.endsWith(sep) ? top : top + sep);
  } catch {
    return false;
  }
}

let processKey: Buffer | undefined;
/** The key when none is given: made at first use (not at load: node:crypto is then not yet needed). */
const defaultKey = (): Buffer => {
  processKey ??= nodeCrypto().randomBytes(32);
  return processKey;
};

/** The stamp's third line: an HMAC of the prepared bytes, bound to the source hash and the version. */
export function stampMac(key: Uint8Array, sourceHash: string, prepared: Uint8Array): string {
  return nodeCrypto()
    .createHmac('sha256', key)
    .update(`${sourceHash}\n${PREPARE_ENGINE_VERSION}\n`)
    .update(prepared)
    .digest('hex');
}

/** V8 refuses modules over 1 GiB; nothing bigger is read as a binary or a cache. */
const MAX_MODULE_BYTES = 1 << 30;
const MAX_STAMP_BYTES = 4096;

export function preparedPaths(wasmPath: string): { prepared: string; stamp: string } {
  return { prepared: wasmPath + PREPARED_SUFFIX, stamp: wasmPath + STAMP_SUFFIX };
}

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

export function reason(e: unknown): string {
  const code = errCode(e);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the folder is read-only';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'ENOTREG') return 'it is not a regular file';
  if (code === 'ELOOP') return 'it is a symbolic link';
  return e instanceof Error ? e.message : String(e);
}

/**
 * Reads a regular file of at most `max` bytes. `follow: false` refuses a symlink (where the platform
 * can tell at open). A FIFO, a device or a directory is refused before anything is read from it.
 */
export function readRegular(path: string, max: number, follow: boolean): Buffer {
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (follow ? 0 : (constants.O_NOFOLLOW ?? 0));
  const fd = openSync(path, flags);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
    if (st.size > max) throw Object.assign(new Error(`larger than ${max} bytes`), { code: 'EFBIG' });
    const buf = Buffer.allocUnsafe(st.size); // every byte returned is read from the file
    let at = 0;
    while (at < buf.length) {
      const n = readSync(fd, buf, at, buf.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === buf.length ? buf : buf.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

/** Reads a cache file, or undefined when it does not exist. Other errors are thrown. */
function readIfExists(path: string, max: number): Buffer | undefined {
  try {
    return readRegular(path, max, false);
  } catch (e) {
    if (errCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

/** Sanity check of cached bytes beyond the hash: a wasm module that imports the fuel counter. */
function looksPrepared(bytes: Uint8Array): boolean {
  try {
    checkHeader(bytes);
    const imp = splitSections(bytes).find((s) => s.id === SEC_IMPORT);
    if (!imp) return false;
    return readImports(bytes, imp).some(
      (i) => i.module === FUEL_IMPORT_MODULE && i.name === FUEL_IMPORT_NAME && i.kind === EXT_GLOBAL,
    );
  } catch {
    return false;
  }
}

interface Stamp {
  sourceHash: string;
  version: string;
  mac: string;
  /** binaryStatus of the binary the source hash was taken of, when it was still long enough to say. */
  status: string | undefined;
}

type CacheState =
  | { kind: 'hit'; bytes: Uint8Array; stamp: Stamp }
  | { kind: 'miss' }
  | { kind: 'bad'; why: string };

function parseStamp(text: Buffer): Stamp | undefined {
  const lines = text.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length < 3 || lines.length > 4 || lines[0]!.length !== 64) return undefined;
  return { sourceHash: lines[0]!, version: lines[1]!, mac: lines[2]!, status: lines[3] };
}

function stampText(stamp: Stamp): string {
  return `${stamp.sourceHash}\n${stamp.version}\n${stamp.mac}\n${stamp.status ? `${stamp.status}\n` : ''}`;
}

/**
 * The binary's file status, as a line: device, inode, size, modification and change times (ns). The
 * kernel sets the change time on every write, rename or chmod, and no one but root can set it back.
 * Taken into a stamp only when both times are STILL_MS old: a write in the same clock tick as the
 * stat before it would leave both times as they were ("racy git": git's index does the same).
 * Not authenticated, and it need not be: it only lets a run skip hashing a binary whose stamp says
 * "the prepared copy, authenticated, was made from bytes of SHA-256 X" when the binary is unchanged.
 * A forged or stale line can at most run the prepared copy of X: what was approved, never other code.
 */
export function binaryStatus(path: string, now = Date.now()): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    if (!st.isFile()) return undefined;
    const stillSince = BigInt(now - STILL_MS) * 1_000_000n;
    if (st.mtimeNs > stillSince || st.ctimeNs > stillSince) return undefined;
    return `status ${st.dev} ${st.ino} ${st.size} ${st.mtimeNs} ${st.ctimeNs}`;
  } catch {
    return undefined;
  }
}
const STILL_MS = 2000;

function readCache(
  paths: { prepared: string; stamp: string },
  sourceHash: string,
  key: Uint8Array,
): CacheState {
  let text: Buffer | undefined;
  let prepared: Buffer | undefined;
  try {
    text = readIfExists(paths.stamp, MAX_STAMP_BYTES);
    prepared = readIfExists(paths.prepared, MAX_MODULE_BYTES);
  } catch (e) {
    return { kind: 'bad', why: `could not be read (${reason(e)})` };
  }
  if (!text && !prepared) return { kind: 'miss' };
  if (!text) return { kind: 'bad', why: 'had no stamp file' };
  if (!prepared) return { kind: 'bad', why: 'was missing its prepared module' };
  const stamp = parseStamp(text);
  if (!stamp) return { kind: 'bad', why: 'had an unreadable stamp file' };
  if (stamp.sourceHash !== sourceHash)
    return { kind: 'bad', why: 'was out of date (the plugin binary changed)' };
  if (stamp.version !== PREPARE_ENGINE_VERSION) {
    return { kind: 'bad', why: `was made by another version of the preparation ("${stamp.version}")` };
  }
  if (stamp.mac !== stampMac(key, sourceHash, prepared) || !looksPrepared(prepared)) {
    return {
      kind: 'bad',
      why: 'did not match its stamp (it is corrupt or was modified, or another installation made it)',
    };
  }
  return {
    kind: 'hit',
    bytes: new Uint8Array(prepared.buffer, prepared.byteOffset, prepared.byteLength),
    stamp,
  };
}

/** Writes `data` to `path` atomically: a temp file in the same folder, then a rename. */
export function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${nodeCrypto().randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * The SHA-256 the stamp beside `wasmPath` says the binary has, when the binary's status is the one
 * the stamp recorded (it is unchanged since it was hashed). Unauthenticated, so a hint: for a check
 * made before a run (its approval, in the engine) and for the run's own way to its prepared copy
 * (unchangedHit), which then verifies that copy's HMAC, bound to this hash, before it is used.
 */
export function stampedSourceHash(wasmPath: string): string | undefined {
  const status = binaryStatus(wasmPath);
  if (status === undefined) return undefined;
  try {
    const text = readIfExists(preparedPaths(wasmPath).stamp, MAX_STAMP_BYTES);
    const stamp = text && parseStamp(text);
    return stamp && stamp.status === status ? stamp.sourceHash : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cache, without reading the binary: when the binary is unchanged since the stamp's hash of it
 * (stampedSourceHash) and that hash is the one expected. Anything else: undefined, and loadPrepared
 * takes the whole way, which says what is wrong.
 */
function unchangedHit(
  wasmPath: string,
  paths: { prepared: string; stamp: string },
  key: Uint8Array,
  expectSha256: string | undefined,
): Extract<CacheState, { kind: 'hit' }> | undefined {
  const hash = stampedSourceHash(wasmPath);
  if (hash === undefined || (expectSha256 !== undefined && expectSha256.toLowerCase() !== hash))
    return undefined;
  const state = readCache(paths, hash, key);
  return state.kind === 'hit' ? state : undefined;
}

/** Loads the prepared module for a .wasm file from its cache beside the binary, preparing (and caching) it if needed. */
export function loadPrepared(wasmPath: string, options: LoadPreparedOptions = {}): PreparedModule {
  const key = options.key ?? defaultKey();
  if (key.length < 16) throw new RangeError('loadPrepared: the cache key is too short');
  const paths = preparedPaths(wasmPath);
  const warnings: string[] = [];
  const kept = options.root === undefined || insideRoot(wasmPath, options.root);
  if (kept) {
    // ruby.wasm's 30 MB: reading and hashing them is 40 ms of a run (npm run bench:wasmtime)
    const hit = unchangedHit(wasmPath, paths, key, options.expectSha256);
    if (hit) return { bytes: hit.bytes, fromCache: true, mac: hit.stamp.mac, warnings };
  }
  const statusBefore = kept ? binaryStatus(wasmPath) : undefined;
  let source: Buffer;
  try {
    source = readRegular(wasmPath, MAX_MODULE_BYTES, true);
  } catch (e) {
    const err = new Error(`cannot read the plugin binary ${wasmPath}: ${reason(e)}`) as Error & {
      code?: string;
    };
    const code = errCode(e);
    if (code) err.code = code;
    throw err;
  }
  const src = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  const sourceHash = sha256(src);
  if (options.expectSha256 !== undefined && options.expectSha256.toLowerCase() !== sourceHash)
    throw new ModuleError(
      'changed',
      `${basename(wasmPath)} changed on disk after it was checked (SHA-256 ${sourceHash.slice(0, 12)}..., approved ${options.expectSha256.slice(0, 12)}...); it was not run. Approve it again if the change is yours.`,
    );
  if (!kept) {
    warnings.push(
      `${basename(wasmPath)} is reached through a link out of the plugin folder; ` +
        'its prepared copy is not saved beside it (it is prepared on every run).',
    );
    return { bytes: instrumentFuel(src), fromCache: false, warnings };
  }
  // The status of the bytes just hashed: the same before the read and after it.
  const status =
    statusBefore !== undefined && binaryStatus(wasmPath) === statusBefore ? statusBefore : undefined;
  const state = readCache(paths, sourceHash, key);
  if (state.kind === 'hit') {
    if (status !== undefined && state.stamp.status !== status) {
      try {
        writeAtomic(paths.stamp, stampText({ ...state.stamp, status }));
      } catch {
        // only a quicker next run is lost
      }
    }
    return { bytes: state.bytes, fromCache: true, mac: state.stamp.mac, warnings };
  }
  if (state.kind === 'bad') {
    warnings.push(`The saved prepared copy of ${basename(wasmPath)} ${state.why}; it was prepared again.`);
  }
  const bytes = instrumentFuel(src);
  const mac = stampMac(key, sourceHash, bytes);
  try {
    writeAtomic(paths.prepared, bytes);
    writeAtomic(paths.stamp, stampText({ sourceHash, version: PREPARE_ENGINE_VERSION, mac, status }));
  } catch (e) {
    warnings.push(
      `Could not save the prepared copy of ${basename(wasmPath)} beside it (${reason(e)}); ` +
        'it will be prepared again next time.',
    );
    // Nor would its compiled code be kept there: one warning says it.
    return { bytes, fromCache: false, warnings };
  }
  return { bytes, fromCache: false, mac, warnings };
}
