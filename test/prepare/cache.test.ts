import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { binaryStatus, sha256, stampMac } from '../../electron/sandbox/prepare/cache.js';
import {
  instrumentFuel,
  loadPrepared,
  PREPARE_ENGINE_VERSION,
} from '../../electron/sandbox/prepare/index.js';
import { tempDir } from '../support/temp.js';
import { instantiateMetered, wat } from './helpers.js';

const SOURCE = wat(`(module (func (export "f") (param i32) (result i32) (local $i i32)
  (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
  (local.get $i)))`);

function plugin(bytes: Uint8Array = SOURCE): { dir: string; wasm: string; prepared: string; stamp: string } {
  const dir = tempDir('prepare-cache');
  const wasm = join(dir, 'plugin.wasm');
  writeFileSync(wasm, bytes);
  return { dir, wasm, prepared: `${wasm}.fuel.wasm`, stamp: `${wasm}.fuel.stamp` };
}

describe('loadPrepared', () => {
  it('prepares and caches on a miss, then loads from the cache', () => {
    const p = plugin();
    const key = Buffer.alloc(32, 7);
    const first = loadPrepared(p.wasm, { key });
    expect(first.fromCache).toBe(false);
    expect(first.warnings).toEqual([]);
    expect(Buffer.from(first.bytes).equals(Buffer.from(instrumentFuel(SOURCE)))).toBe(true);
    expect(readFileSync(p.stamp, 'utf8')).toBe(
      `${sha256(SOURCE)}\n${PREPARE_ENGINE_VERSION}\n${stampMac(key, sha256(SOURCE), first.bytes)}\n`,
    );
    const second = loadPrepared(p.wasm, { key });
    expect(second.fromCache).toBe(true);
    expect(second.warnings).toEqual([]);
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(instantiateMetered(second.bytes, 10_000n).exports.f(100)).toBe(100);
    // No temp files left behind.
    expect(readdirSync(p.dir).sort()).toEqual([
      'plugin.wasm',
      'plugin.wasm.fuel.stamp',
      'plugin.wasm.fuel.wasm',
    ]);
  });

  it('rebuilds a stale cache when the binary changed', () => {
    const p = plugin();
    loadPrepared(p.wasm);
    const changed = wat('(module (func (export "f") (param i32) (result i32) (local.get 0)))');
    writeFileSync(p.wasm, changed);
    const r = loadPrepared(p.wasm);
    expect(r.fromCache).toBe(false);
    expect(r.warnings).toEqual([
      'The saved prepared copy of plugin.wasm was out of date (the plugin binary changed); it was prepared again.',
    ]);
    expect(Buffer.from(r.bytes).equals(Buffer.from(instrumentFuel(changed)))).toBe(true);
    expect(loadPrepared(p.wasm).fromCache).toBe(true);
  });

  it('rebuilds a cache made by another preparation version', () => {
    const p = plugin();
    loadPrepared(p.wasm);
    const lines = readFileSync(p.stamp, 'utf8').split('\n');
    writeFileSync(p.stamp, [lines[0], 'fledge-desktop-prepare/0', lines[2], ''].join('\n'));
    const r = loadPrepared(p.wasm);
    expect(r.fromCache).toBe(false);
    expect(r.warnings[0]).toMatch(/another version of the preparation \("fledge-desktop-prepare\/0"\)/);
    expect(loadPrepared(p.wasm).fromCache).toBe(true);
  });

  it('rebuilds a corrupt cache (bytes changed under the stamp)', () => {
    const p = plugin();
    loadPrepared(p.wasm);
    const bytes = readFileSync(p.prepared);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0xff;
    writeFileSync(p.prepared, bytes);
    const r = loadPrepared(p.wasm);
    expect(r.fromCache).toBe(false);
    expect(r.warnings[0]).toMatch(/did not match its stamp \(it is corrupt or was modified/);
    expect(loadPrepared(p.wasm).fromCache).toBe(true);
  });

  it('rebuilds a tampered cache whose stamp was forged for an unmetered module', () => {
    const p = plugin();
    loadPrepared(p.wasm);
    const lines = readFileSync(p.stamp, 'utf8').split('\n');
    writeFileSync(p.prepared, SOURCE);
    writeFileSync(p.stamp, [lines[0], lines[1], sha256(SOURCE), ''].join('\n'));
    const r = loadPrepared(p.wasm);
    expect(r.fromCache).toBe(false);
    expect(r.warnings[0]).toMatch(/corrupt or was modified/);
    expect(Buffer.from(r.bytes).equals(Buffer.from(instrumentFuel(SOURCE)))).toBe(true);
  });

  it('rebuilds when the stamp is unreadable or one file is missing', () => {
    const p = plugin();
    loadPrepared(p.wasm);
    writeFileSync(p.stamp, 'garbage');
    expect(loadPrepared(p.wasm).warnings[0]).toMatch(/unreadable stamp/);
    writeFileSync(p.stamp, '');
    expect(loadPrepared(p.wasm).warnings[0]).toMatch(/unreadable stamp/);
    writeFileSync(p.prepared, '');
    writeFileSync(p.stamp, readFileSync(p.stamp)); // keep stamp
    expect(loadPrepared(p.wasm).warnings.length).toBe(1);
    const q = plugin();
    loadPrepared(q.wasm);
    rmSync(q.stamp);
    expect(loadPrepared(q.wasm).warnings).toEqual([
      'The saved prepared copy of plugin.wasm had no stamp file; it was prepared again.',
    ]);
    rmSync(q.prepared);
    expect(loadPrepared(q.wasm).warnings).toEqual([
      'The saved prepared copy of plugin.wasm was missing its prepared module; it was prepared again.',
    ]);
    expect(loadPrepared(q.wasm).fromCache).toBe(true);
  });

  it('still returns the prepared bytes, with a warning, when the plugin folder is not writable', () => {
    const p = plugin();
    const isRoot = process.getuid?.() === 0;
    // Root ignores permissions: block the cache path with a folder instead.
    if (isRoot) mkdirSync(p.prepared);
    else chmodSync(p.dir, 0o555);
    try {
      const r = loadPrepared(p.wasm);
      expect(r.fromCache).toBe(false);
      expect(r.mac).toBeUndefined(); // caches are not kept there: no compiled code either (one warning)
      expect(Buffer.from(r.bytes).equals(Buffer.from(instrumentFuel(SOURCE)))).toBe(true);
      expect(r.warnings.at(-1)).toMatch(
        /^Could not save the prepared copy of plugin\.wasm beside it \(.+\); it will be prepared again next time\.$/,
      );
      expect(existsSync(p.stamp)).toBe(false);
      expect(readdirSync(p.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      chmodSync(p.dir, 0o755);
    }
  });

  it('refuses a binary that is not WebAssembly without writing a cache', () => {
    const p = plugin(new TextEncoder().encode('#!/bin/sh\necho hi\n'));
    expect(() => loadPrepared(p.wasm)).toThrow(/not a WebAssembly module \(it starts with a script/);
    expect(existsSync(p.prepared)).toBe(false);
  });
});

describe('loadPrepared, with a binary that has not changed since its hash was taken', () => {
  const OTHER = wat('(module (func (export "f") (param i32) (result i32) (i32.const 42)))');
  /** The clock a minute on: the binary written by the test has been still long enough to be trusted. */
  const later = () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 60_000);
  };
  afterEach(() => vi.useRealTimers());
  const stampLines = (p: { stamp: string }) => readFileSync(p.stamp, 'utf8').split('\n');

  it('keeps no status for a binary written just now (a write in the same clock tick would not show)', () => {
    const p = plugin();
    loadPrepared(p.wasm);
    loadPrepared(p.wasm);
    expect(stampLines(p)).toHaveLength(4); // three lines and the end
  });

  it('keeps the status of a still binary in the stamp, then takes the cache without reading the binary', () => {
    const p = plugin();
    const key = Buffer.alloc(32, 3);
    loadPrepared(p.wasm, { key });
    later();
    expect(loadPrepared(p.wasm, { key }).fromCache).toBe(true); // hashed once more, status kept
    const status = binaryStatus(p.wasm)!;
    expect(status).toMatch(/^status \d+ \d+ \d+ \d+ \d+$/);
    expect(stampLines(p)[3]).toBe(status);
    // The proof that the binary is not read: a stamp whose status is forged to match other bytes
    // gives the prepared copy the stamp authenticates (that of SOURCE, as approved), not OTHER.
    writeFileSync(p.wasm, OTHER);
    const lines = stampLines(p);
    lines[3] = binaryStatus(p.wasm)!;
    writeFileSync(p.stamp, lines.join('\n'));
    const r = loadPrepared(p.wasm, { key, expectSha256: sha256(SOURCE) });
    expect(r).toMatchObject({ fromCache: true, warnings: [] });
    expect(Buffer.from(r.bytes).equals(Buffer.from(instrumentFuel(SOURCE)))).toBe(true);
  });

  it('notices a binary rewritten in place or replaced, hashes it and refuses what was not approved', () => {
    const p = plugin();
    const key = Buffer.alloc(32, 4);
    loadPrepared(p.wasm, { key });
    later();
    loadPrepared(p.wasm, { key });
    expect(stampLines(p)[3]).toMatch(/^status /);
    writeFileSync(p.wasm, OTHER); // in place: another size, another change time
    expect(() => loadPrepared(p.wasm, { key, expectSha256: sha256(SOURCE) })).toThrow(
      /plugin\.wasm changed on disk after it was checked .*it was not run/,
    );
    const r = loadPrepared(p.wasm, { key });
    expect(r.warnings[0]).toMatch(/was out of date \(the plugin binary changed\)/);
    expect(Buffer.from(r.bytes).equals(Buffer.from(instrumentFuel(OTHER)))).toBe(true);
    // Replaced by a rename (another inode), back to the first bytes
    writeFileSync(`${p.wasm}.new`, SOURCE);
    renameSync(`${p.wasm}.new`, p.wasm);
    const back = loadPrepared(p.wasm, { key, expectSha256: sha256(SOURCE) });
    expect(back.warnings[0]).toMatch(/was out of date/);
    expect(Buffer.from(back.bytes).equals(Buffer.from(instrumentFuel(SOURCE)))).toBe(true);
  });

  it('a forged status with a stamp for other bytes than approved is not a way around the check', () => {
    const p = plugin(OTHER);
    const key = Buffer.alloc(32, 5);
    loadPrepared(p.wasm, { key });
    later();
    loadPrepared(p.wasm, { key });
    expect(stampLines(p)[3]).toBe(binaryStatus(p.wasm));
    // The stamp (and its status) are right for OTHER; SOURCE was approved: hashed, and refused
    expect(() => loadPrepared(p.wasm, { key, expectSha256: sha256(SOURCE) })).toThrow(/changed on disk/);
  });
});
