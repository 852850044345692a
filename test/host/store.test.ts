import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostError } from '../../electron/engine/host/errors.js';
import { folderUsage, PluginStore, STATE_LOCK_FILE, STORE_LIMITS } from '../../electron/engine/host/store.js';
import { tempDir } from './helpers.js';

const WRITER = join(import.meta.dirname, 'fixtures', 'store-writer.ts');
const ROOT = join(import.meta.dirname, '..', '..');

function runWriter(
  ...args: string[]
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      out += c;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

async function expectCode(p: Promise<unknown>, code: string, text: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HostError);
  expect((err as HostError).code).toBe(code);
  expect((err as HostError).message).toMatch(text);
}

describe('PluginStore', () => {
  it('stores, reads back, lists and sizes keys in state.json as the CLI does', async () => {
    const dir = tempDir();
    const store = new PluginStore(dir);
    expect(await store.get('missing')).toBeNull();
    await store.set('a', '1');
    await store.set('ünïcode', 'välue');
    await store.set('__proto__', 'just a key');
    expect(await store.get('a')).toBe('1');
    expect(await store.get('ünïcode')).toBe('välue');
    expect(await store.get('__proto__')).toBe('just a key');
    expect(await store.keys()).toEqual(['a', 'ünïcode', '__proto__']);
    const onDisk = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    expect(onDisk).toEqual({ a: '1', ünïcode: 'välue', ['__proto__']: 'just a key' });
    const sizes = await store.sizes();
    expect(sizes.keys).toBe(3);
    expect(sizes.totalBytes).toBe(Buffer.byteLength(readFileSync(join(dir, 'state.json'))));
    expect(await store.delete('a')).toBe(true);
    expect(await store.get('a')).toBeNull();
    // The CLI's lock file (state.json.lock, flock), left in place as the CLI leaves it.
    expect(existsSync(join(dir, STATE_LOCK_FILE))).toBe(true);
  });

  it('reads a state.json written by the CLI (pretty JSON of strings)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ last_run: '2026-01-01', n: '3' }, null, 2));
    const store = new PluginStore(dir);
    expect(await store.get('last_run')).toBe('2026-01-01');
    await store.set('n', '4');
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toEqual({
      last_run: '2026-01-01',
      n: '4',
    });
  });

  it('refuses a key over 256 bytes, an empty key and control characters', async () => {
    const store = new PluginStore(tempDir());
    await store.set('k'.repeat(256), 'ok');
    await expectCode(store.set('k'.repeat(257), 'x'), 'store_key_too_long', /257 bytes.*at most 256 bytes/);
    await expectCode(store.set('é'.repeat(129), 'x'), 'store_key_too_long', /258 bytes/);
    await expectCode(store.set('', 'x'), 'store_bad_key', /must not be empty/);
    await expectCode(store.set('a\nb', 'x'), 'store_bad_key', /control characters/);
  });

  it('refuses a value over 64 KB', async () => {
    const store = new PluginStore(tempDir());
    await store.set('max', 'v'.repeat(64 * 1024));
    await expectCode(store.set('big', 'v'.repeat(64 * 1024 + 1)), 'store_value_too_large', /at most 64 KB/);
    expect(await store.get('big')).toBeNull();
  });

  it('refuses the 257th key but still updates existing keys', async () => {
    const dir = tempDir();
    const full: Record<string, string> = {};
    for (let i = 0; i < STORE_LIMITS.maxKeys; i++) full[`k${i}`] = 'v';
    writeFileSync(join(dir, 'state.json'), JSON.stringify(full));
    const store = new PluginStore(dir);
    await expectCode(store.set('one-more', 'v'), 'store_too_many_keys', /already holds 256 keys/);
    await store.set('k0', 'updated');
    expect(await store.get('k0')).toBe('updated');
    expect((await store.keys()).length).toBe(256);
  });

  it('refuses a write that would take the store over 1 MB, keeping the old file', async () => {
    const dir = tempDir();
    const store = new PluginStore(dir);
    const chunk = 'x'.repeat(60 * 1024);
    for (let i = 0; i < 17; i++) await store.set(`k${i}`, chunk); // ~1.0 MB - a bit
    const before = readFileSync(join(dir, 'state.json'), 'utf8');
    await expectCode(store.set('k17', chunk), 'store_full', /at most 1 MB/);
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe(before);
    expect(Buffer.byteLength(before)).toBeLessThanOrEqual(STORE_LIMITS.maxTotalBytes);
  });

  it('two processes writing 100 keys each at the same time lose none', async () => {
    const dir = tempDir();
    const startAt = String(Date.now() + 1500);
    const [a, b] = await Promise.all([
      runWriter(dir, 'a', '100', startAt),
      runWriter(dir, 'b', '100', startAt),
    ]);
    expect(a.out).toContain('done');
    expect(b.out).toContain('done');
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Record<string, string>;
    const keys = Object.keys(state);
    expect(keys.length).toBe(200);
    for (let i = 0; i < 100; i++) {
      expect(state[`a-${i}`]).toMatch(new RegExp(`^value ${i} from `));
      expect(state[`b-${i}`]).toMatch(new RegExp(`^value ${i} from `));
    }
    expect(readdirSync(dir).sort()).toEqual(['state.json', 'state.json.lock']);
  });

  it('a process killed mid-write leaves the old state.json intact, and its lock is taken over', async () => {
    const dir = tempDir();
    const store = new PluginStore(dir);
    await store.set('greeting', 'old value');
    const before = readFileSync(join(dir, 'state.json'), 'utf8');
    const crashed = await runWriter(dir, 'crash');
    expect(crashed.signal).toBe('SIGKILL');
    // The dead writer left its lock and its complete-but-unrenamed temp file behind.
    expect(existsSync(join(dir, STATE_LOCK_FILE))).toBe(true);
    expect(readdirSync(dir).some((n) => n.startsWith('state.json.tmp-'))).toBe(true);
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe(before);
    expect(await store.get('greeting')).toBe('old value');
    // The next write sees the lock's owner is dead, takes it over, and cleans up.
    const t0 = Date.now();
    await store.set('after', 'crash');
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(await store.entries()).toEqual({ greeting: 'old value', after: 'crash' });
    expect(readdirSync(dir).sort()).toEqual(['state.json', 'state.json.lock']);
  });

  it('sets a damaged state.json aside instead of losing or trusting it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'state.json'), '{"half": "writ');
    const store = new PluginStore(dir);
    await expectCode(store.get('half'), 'store_corrupt', /not a JSON object/);
    await store.set('fresh', 'start');
    expect(await store.entries()).toEqual({ fresh: 'start' });
    expect(readdirSync(dir).some((n) => n.startsWith('state.json.corrupt-'))).toBe(true);
  });
});

describe('folderUsage', () => {
  it('adds up the files of a data folder, and is zero for a missing one', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'data', 'a'), 'x'.repeat(10));
    writeFileSync(join(dir, 'data', 'sub', 'b'), 'x'.repeat(5));
    expect(await folderUsage(join(dir, 'data'))).toEqual({ files: 2, bytes: 15, partial: false });
    expect(await folderUsage(join(dir, 'nope'))).toEqual({ files: 0, bytes: 0, partial: false });
    expect((await folderUsage(join(dir, 'data'), 1)).partial).toBe(true);
  });
});
