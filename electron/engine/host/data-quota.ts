// The plugin data folder's quota (`filesystem = "plugin"` mounts `<plugin>/data` at /plugin): what
// the folder holds is counted ONCE when a run starts; the sandbox's WASI then charges and credits
// every change as it happens (electron/sandbox/wasi/quota.ts), so no write walks the tree.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ENTRY_BYTES } from '../../sandbox/wasi/quota.js';

/** The default quota of a plugin's data folder (a setting the app exposes: RunLimits.dataQuotaBytes). */
export const DEFAULT_DATA_QUOTA_BYTES = 1024 ** 3;

/**
 * What `dir` holds, counted as the quota counts it: each file's size, and ENTRY_BYTES for every
 * file, folder and link. Links are not followed. Stops once it passes `stopAt` (the quota: past it,
 * the exact figure does not matter), so a folder of millions of entries costs no more than that.
 */
export async function dataFolderBytes(dir: string, stopAt = Number.POSITIVE_INFINITY): Promise<number> {
  let total = 0;
  const pending = [dir];
  while (pending.length > 0 && total <= stopAt) {
    const at = pending.pop()!;
    const entries = await fsp.readdir(at, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      total += ENTRY_BYTES;
      const p = join(at, e.name);
      if (e.isDirectory()) pending.push(p);
      else if (e.isFile()) total += (await fsp.lstat(p).catch(() => null))?.size ?? 0;
      if (total > stopAt) break;
    }
  }
  return total;
}
