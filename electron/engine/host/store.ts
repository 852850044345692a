// The plugin key-value store: `state.json` in the plugin dir, a JSON object of key -> string value,
// with the fledge CLI's limits (src/protocol/store.rs): key 1..256 bytes without control characters,
// value <= 64 KB, the whole pretty-printed file <= 1 MB, <= 256 keys.
//
// Every read-modify-write holds a cross-process lock and replaces the file atomically, so two runs
// writing at once lose nothing and a crash mid-write leaves the previous file intact.
//
// Locking and the CLI: every write holds flock on `state.json.lock`, exactly the lock the fledge CLI
// takes (fs/flock.ts), so the app and the CLI writing the same plugin's store at once serialise and
// lose nothing. A lock held by a process that died is released by the kernel.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { type AtomicWriteOptions, tempPrefix, writeFileAtomic } from '../fs/atomic.js';
import { withFlock } from '../fs/flock.js';
import { errnoCode, HostError } from './errors.js';

export const STORE_LIMITS = Object.freeze({
  maxKeyBytes: 256,
  maxValueBytes: 64 * 1024,
  maxTotalBytes: 1024 * 1024,
  maxKeys: 256,
});

export const STATE_FILE = 'state.json';
/** The fledge CLI's lock file for state.json (flock / LockFileEx). */
export const STATE_LOCK_FILE = 'state.json.lock';

export interface StoreSizes {
  keys: number;
  /** Size of state.json as written (pretty-printed JSON, like the CLI), in bytes. */
  totalBytes: number;
  entries: { key: string; bytes: number }[];
  limits: typeof STORE_LIMITS;
}

export interface PluginStoreOptions {
  lockTimeoutMs?: number;
  /** Test hook, passed to the atomic write (see fs/atomic.ts). */
  beforeRename?: AtomicWriteOptions['beforeRename'];
}

type State = Record<string, unknown>;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const fmtBytes = (n: number) =>
  n >= 1024 * 1024 ? `${n / (1024 * 1024)} MB` : n >= 1024 ? `${n / 1024} KB` : `${n} bytes`;

export function validateStoreKey(key: unknown): string {
  if (typeof key !== 'string') throw new HostError('store_bad_key', 'A store key must be a string.');
  if (key.length === 0) throw new HostError('store_bad_key', 'A store key must not be empty.');
  const n = bytes(key);
  if (n > STORE_LIMITS.maxKeyBytes) {
    throw new HostError(
      'store_key_too_long',
      `The store key is ${n} bytes long; keys may be at most ${STORE_LIMITS.maxKeyBytes} bytes.`,
    );
  }
  if (/[\u0000-\u001f\u007f]/.test(key)) {
    throw new HostError(
      'store_bad_key',
      'A store key must not contain control characters (newlines, tabs, ...).',
    );
  }
  return key;
}

export function validateStoreValue(value: unknown): string {
  if (typeof value !== 'string') throw new HostError('store_bad_value', 'A store value must be a string.');
  const n = bytes(value);
  if (n > STORE_LIMITS.maxValueBytes) {
    throw new HostError(
      'store_value_too_large',
      `The store value is ${fmtBytes(n)}; values may be at most ${fmtBytes(STORE_LIMITS.maxValueBytes)}.`,
    );
  }
  return value;
}

const serialize = (state: State) => JSON.stringify(state, null, 2);

/** The key-value store of one plugin. Cheap to create; holds no open files between calls. */
export class PluginStore {
  readonly path: string;
  private readonly lockPath: string;

  constructor(
    readonly pluginDir: string,
    private readonly options: PluginStoreOptions = {},
  ) {
    this.path = join(pluginDir, STATE_FILE);
    this.lockPath = join(pluginDir, STATE_LOCK_FILE);
  }

  /** The value, or null when the key is absent. Values that are not strings (hand-edited file) come back as JSON text. */
  async get(key: string): Promise<string | null> {
    validateStoreKey(key);
    const state = await this.read();
    if (!Object.hasOwn(state, key)) return null;
    const v = state[key];
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  async keys(): Promise<string[]> {
    return Object.keys(await this.read());
  }

  async entries(): Promise<Record<string, string>> {
    const state = await this.read();
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(state)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
    return out;
  }

  async sizes(): Promise<StoreSizes> {
    const state = await this.read();
    const entries = Object.entries(state).map(([key, v]) => ({
      key,
      bytes: bytes(key) + bytes(typeof v === 'string' ? v : JSON.stringify(v)),
    }));
    return {
      keys: entries.length,
      totalBytes: entries.length === 0 ? 0 : bytes(serialize(state)),
      entries,
      limits: STORE_LIMITS,
    };
  }

  async set(key: string, value: string): Promise<void> {
    validateStoreKey(key);
    validateStoreValue(value);
    await this.update((state) => {
      if (!Object.hasOwn(state, key) && Object.keys(state).length >= STORE_LIMITS.maxKeys) {
        throw new HostError(
          'store_too_many_keys',
          `The plugin's store already holds ${STORE_LIMITS.maxKeys} keys, the most it may have; "${truncate(key)}" was not saved.`,
        );
      }
      state[key] = value;
      return true;
    });
  }

  /** Removes a key; returns whether it was there. */
  async delete(key: string): Promise<boolean> {
    validateStoreKey(key);
    let had = false;
    await this.update((state) => {
      had = Object.hasOwn(state, key);
      if (had) delete state[key];
      return had;
    });
    return had;
  }

  /** Empties the store (the UI's "reset"). */
  async clear(): Promise<void> {
    await this.update((state) => {
      for (const k of Object.keys(state)) delete state[k];
      return true;
    });
  }

  private async update(mutate: (state: State) => boolean): Promise<void> {
    await fsp.mkdir(this.pluginDir, { recursive: true });
    await withFlock(
      this.lockPath,
      async () => {
        await this.removeLeftoverTemps();
        const state = await this.read({ setAsideCorrupt: true });
        if (!mutate(state)) return;
        const text = serialize(state);
        const n = bytes(text);
        if (n > STORE_LIMITS.maxTotalBytes) {
          throw new HostError(
            'store_full',
            `The plugin's store would grow to ${(n / (1024 * 1024)).toFixed(2)} MB; the whole store may be at most ${fmtBytes(STORE_LIMITS.maxTotalBytes)}.`,
          );
        }
        await writeFileAtomic(this.path, text, { beforeRename: this.options.beforeRename });
      },
      { timeoutMs: this.options.lockTimeoutMs ?? 10_000 },
    );
  }

  private async read(opts: { setAsideCorrupt?: boolean } = {}): Promise<State> {
    let text: string;
    try {
      text = await fsp.readFile(this.path, 'utf8');
    } catch (err) {
      // Null-prototype, like every state: on a `{}` a first key "__proto__" would be silently lost.
      if (errnoCode(err) === 'ENOENT') return Object.create(null) as State;
      throw new HostError('store_unreadable', `Could not read the plugin's store (${this.path}).`, {
        cause: err,
      });
    }
    let parsed: unknown;
    try {
      parsed = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      // A null-prototype copy: keys like "__proto__" are ordinary keys here.
      return Object.assign(Object.create(null) as State, parsed);
    }
    if (opts.setAsideCorrupt) {
      // Keep the damaged file for the person to inspect, and start afresh.
      await fsp.rename(this.path, `${this.path}.corrupt-${Date.now()}`);
      return Object.create(null) as State;
    }
    throw new HostError(
      'store_corrupt',
      `The plugin's store (${this.path}) is not a JSON object; it will be set aside on the next write.`,
    );
  }

  /** Temp files of a writer that died mid-write. Safe to remove: we hold the lock. */
  private async removeLeftoverTemps(): Promise<void> {
    const prefix = tempPrefix(this.path);
    const names = await fsp.readdir(this.pluginDir).catch(() => [] as string[]);
    await Promise.all(
      names.filter((n) => n.startsWith(prefix)).map((n) => fsp.rm(join(this.pluginDir, n), { force: true })),
    );
  }
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

export interface FolderUsage {
  files: number;
  bytes: number;
  /** True when the count stopped at `maxEntries` (the numbers are then a lower bound). */
  partial: boolean;
}

/** Size of a plugin's data/ folder (or any folder) for the UI; symlinks are not followed. */
export async function folderUsage(dir: string, maxEntries = 100_000): Promise<FolderUsage> {
  const usage: FolderUsage = { files: 0, bytes: 0, partial: false };
  const walk = async (at: string): Promise<void> => {
    const entries = await fsp.readdir(at, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (usage.files >= maxEntries) {
        usage.partial = true;
        return;
      }
      const p = join(at, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        usage.files++;
        usage.bytes += (await fsp.lstat(p).catch(() => null))?.size ?? 0;
      }
    }
  };
  await walk(dir);
  return usage;
}
