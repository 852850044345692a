/**
 * Where the GitHub token for the catalog is kept: never sent back to a window once saved. Headless
 * it is a file readable only by its owner in the app's data; Electron may pass a store backed by
 * its safeStorage instead.
 */
import { readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';

export interface TokenStore {
  get(): string | null;
  set(token: string | null): Promise<void>;
}

export function fileTokenStore(appDataDir: string): TokenStore {
  const file = join(appDataDir, 'github-token');
  return {
    get() {
      try {
        const t = readFileSync(file, 'utf8').trim();
        return /^[A-Za-z0-9_.-]{1,512}$/.test(t) ? t : null;
      } catch {
        return null;
      }
    },
    async set(token) {
      if (token === null) {
        rmSync(file, { force: true });
        return;
      }
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(file, `${token}\n`, { mode: 0o600 });
    },
  };
}
