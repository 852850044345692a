// The engine's check of a binary against its approval (consent-store.ts binarySha256): a binary that
// has not changed is not read and hashed again (the plugin list and every run check it), nor one
// whose prepared copy's stamp recorded it as it is, and any change to it (in place, or replaced by a
// rename) is hashed again. Real files. (That a forged stamp runs nothing but the approved prepared
// copy: test/prepare/cache.test.ts.)
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { binarySha256, sha256File } from '../../electron/engine/consent/consent-store.js';
import { sha256 } from '../../electron/sandbox/prepare/cache.js';
import { loadPrepared } from '../../electron/sandbox/prepare/index.js';
import { wat } from '../prepare/helpers.js';
import { tempDir } from '../support/temp.js';

describe("a binary's hash for the approval check", () => {
  afterEach(() => vi.useRealTimers());
  /** The clock a minute on: the files written by the test have been still long enough to be trusted. */
  const later = () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 60_000);
  };

  it('is hashed each time while it was just written, then remembered while it stays the same', async () => {
    const file = join(tempDir('binary-hash'), 'plugin.wasm');
    writeFileSync(file, 'first bytes');
    const hash = vi.fn(sha256File);
    expect(await binarySha256(file, hash)).toBe(sha256(Buffer.from('first bytes')));
    await binarySha256(file, hash);
    expect(hash).toHaveBeenCalledTimes(2); // written just now: a write in the same clock tick would not show
    later();
    await binarySha256(file, hash);
    expect(await binarySha256(file, hash)).toBe(sha256(Buffer.from('first bytes')));
    expect(hash).toHaveBeenCalledTimes(3);
  });

  it('is hashed again after any change: rewritten in place, or replaced by a rename', async () => {
    const dir = tempDir('binary-hash');
    const file = join(dir, 'plugin.wasm');
    writeFileSync(file, 'approved bytes');
    later();
    const hash = vi.fn(sha256File);
    await binarySha256(file, hash);
    writeFileSync(file, 'other bytes, in place');
    expect(await binarySha256(file, hash)).toBe(sha256(Buffer.from('other bytes, in place')));
    writeFileSync(join(dir, 'next.wasm'), 'approved bytes');
    renameSync(join(dir, 'next.wasm'), file);
    expect(await binarySha256(file, hash)).toBe(sha256(readFileSync(file)));
    expect(hash).toHaveBeenCalledTimes(3);
  });

  it("takes a wasm binary's hash from its prepared copy's stamp while the binary is as the stamp saw it (a CLI run hashes nothing)", async () => {
    const dir = tempDir('binary-hash');
    const file = join(dir, 'plugin.wasm');
    const bytes = wat('(module (func (export "f")))');
    writeFileSync(file, bytes);
    later();
    loadPrepared(file); // the run that keeps the binary's status in the stamp
    const hash = vi.fn(sha256File);
    expect(await binarySha256(file, hash)).toBe(sha256(bytes));
    expect(hash).not.toHaveBeenCalled();
    writeFileSync(file, wat('(module (func (export "g")))')); // changed: the stamp no longer speaks for it
    expect(await binarySha256(file, hash)).toBe(sha256(readFileSync(file)));
    expect(hash).toHaveBeenCalledTimes(1);
  });
});
