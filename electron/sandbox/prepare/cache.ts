// loadPrepared: the prepared (instrumented) module cached beside the plugin binary, like the CLI's .cwasm.
//   <binary>.fuel.wasm   the prepared bytes
//   <binary>.fuel.stamp  three lines: SHA-256 of the source .wasm, PREPARE_ENGINE_VERSION, SHA-256 of the prepared bytes
// Any mismatch or unreadable file means: prepare again from the source, with a warning. Writes are atomic.

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  FUEL_IMPORT_MODULE,
  FUEL_IMPORT_NAME,
  PREPARE_ENGINE_VERSION,
  PREPARED_SUFFIX,
  STAMP_SUFFIX,
} from './constants.js';
import { instrumentFuel } from './fuel.js';
import { EXT_GLOBAL, readImports, SEC_IMPORT, splitSections } from './sections.js';
import { checkHeader } from './validate.js';

export interface PreparedModule {
  /** Instrumented bytes (memory cap NOT applied; apply capMemory per run). */
  bytes: Uint8Array;
  fromCache: boolean;
  /** Plain-words warnings, e.g. "stale cache rebuilt". */
  warnings: string[];
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function preparedPaths(wasmPath: string): { prepared: string; stamp: string } {
  return { prepared: wasmPath + PREPARED_SUFFIX, stamp: wasmPath + STAMP_SUFFIX };
}

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

function reason(e: unknown): string {
  const code = errCode(e);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the folder is read-only';
  if (code === 'ENOSPC') return 'the disk is full';
  return e instanceof Error ? e.message : String(e);
}

/** Reads a file, or undefined when it does not exist. Other errors are thrown. */
function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
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

type CacheState = { kind: 'hit'; bytes: Uint8Array } | { kind: 'miss' } | { kind: 'bad'; why: string };

function readCache(paths: { prepared: string; stamp: string }, sourceHash: string): CacheState {
  let stampText: Buffer | undefined;
  let prepared: Buffer | undefined;
  try {
    stampText = readIfExists(paths.stamp);
    prepared = readIfExists(paths.prepared);
  } catch (e) {
    return { kind: 'bad', why: `could not be read (${reason(e)})` };
  }
  if (!stampText && !prepared) return { kind: 'miss' };
  if (!stampText) return { kind: 'bad', why: 'had no stamp file' };
  if (!prepared) return { kind: 'bad', why: 'was missing its prepared module' };
  const lines = stampText.toString('utf8').split('\n');
  if (
    lines.length < 3 ||
    lines.length > 4 ||
    (lines.length === 4 && lines[3] !== '') ||
    lines[0]!.length !== 64
  ) {
    return { kind: 'bad', why: 'had an unreadable stamp file' };
  }
  if (lines[0] !== sourceHash) return { kind: 'bad', why: 'was out of date (the plugin binary changed)' };
  if (lines[1] !== PREPARE_ENGINE_VERSION) {
    return { kind: 'bad', why: `was made by another version of the preparation ("${lines[1]}")` };
  }
  if (lines[2] !== sha256(prepared) || !looksPrepared(prepared)) {
    return { kind: 'bad', why: 'did not match its stamp (it is corrupt or was modified)' };
  }
  return { kind: 'hit', bytes: new Uint8Array(prepared.buffer, prepared.byteOffset, prepared.byteLength) };
}

/** Writes `data` to `path` atomically: a temp file in the same folder, then a rename. */
function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Loads the prepared module for a .wasm file from its cache beside the binary, preparing (and caching) it if needed. */
export function loadPrepared(wasmPath: string): PreparedModule {
  let source: Buffer;
  try {
    source = readFileSync(wasmPath);
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
  const paths = preparedPaths(wasmPath);
  const warnings: string[] = [];
  const state = readCache(paths, sourceHash);
  if (state.kind === 'hit') return { bytes: state.bytes, fromCache: true, warnings };
  if (state.kind === 'bad') {
    warnings.push(`The saved prepared copy of ${basename(wasmPath)} ${state.why}; it was prepared again.`);
  }
  const bytes = instrumentFuel(src);
  try {
    writeAtomic(paths.prepared, bytes);
    writeAtomic(paths.stamp, `${sourceHash}\n${PREPARE_ENGINE_VERSION}\n${sha256(bytes)}\n`);
  } catch (e) {
    warnings.push(
      `Could not save the prepared copy of ${basename(wasmPath)} beside it (${reason(e)}); ` +
        'it will be prepared again next time.',
    );
  }
  return { bytes, fromCache: false, warnings };
}
