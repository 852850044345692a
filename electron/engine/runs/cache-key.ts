// The secret that keys the stamps of prepared-module caches (sandbox/prepare/cache.ts). Plugin folders
// are their authors': a stamp they could compute themselves would let them ship an unmetered module as
// its own "prepared" copy. The key lives in the config dir, outside every plugin folder, readable by
// this user only. A first run with nothing installed makes the config dir (private, as the fledge CLI
// makes it at its first install) so that the next run finds its caches valid: without it, every run of
// a plugin folder prepared the module again and warned that its prepared copy did not match. Only when
// the dir cannot be made or the key not written is one made for this process used (caches are then
// prepared again in the next session, nothing worse).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCrypto } from '../../sandbox/lazy-crypto.js';
import { resolveConfigDir } from '../registry/config-dir.js';

export const CACHE_KEY_FILE = 'prepare-cache.key';

/** The key (64 hex digits) kept in `configDir`, made on first use. */
export function prepareCacheKey(configDir: string = resolveConfigDir()): string {
  const path = join(configDir, CACHE_KEY_FILE);
  const read = (): string | null => {
    try {
      const text = readFileSync(path, 'utf8').trim();
      return /^[0-9a-f]{64}$/.test(text) ? text : null;
    } catch {
      return null;
    }
  };
  const existing = read();
  if (existing) return existing;
  const made = nodeCrypto().randomBytes(32).toString('hex');
  try {
    mkdirSync(configDir, { recursive: true, mode: 0o700 });
    // 'wx': never replace a key another process made meanwhile (then use that one).
    writeFileSync(path, `${made}\n`, { flag: 'wx', mode: 0o600 });
    return made;
  } catch {
    return read() ?? made;
  }
}
