// A plugin's own storage (its data/ folder and state.json) must be the real thing, never a link: checked
// at install and before every run of an installed plugin. Its own module, so that a run loads none of
// the install code (archives, git) to check it.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { HostError } from '../host/errors.js';

/** What an update carries over from the installed version. */
export const CARRIED_OVER = ['state.json', 'data'];

/**
 * `data/` and `state.json` are the plugin's own storage: `filesystem = "plugin"` mounts data/ read-write
 * (after resolving it) and the store rewrites state.json. Shipped as links (even to something inside),
 * they would hand the plugin write access to its own plugin.toml, binaries and compiled-module cache.
 */
export async function refuseLinkedStorage(dir: string, label: string): Promise<void> {
  for (const item of CARRIED_OVER) {
    const st = await fsp.lstat(join(dir, item)).catch(() => null);
    if (!st || (item === 'data' ? st.isDirectory() : st.isFile())) continue;
    throw new HostError(
      'source_reserved_name',
      `${label} was refused: "${item}" is reserved for the plugin's own ${item === 'data' ? 'files' : 'store'} and must be ${item === 'data' ? 'a real folder' : 'a plain file'} (or absent), not a link or anything else.`,
    );
  }
}
