// Replacing a file that another program (the fledge CLI) rewrites WITHOUT any lock, so that its
// writes are not undone: the new content is written and synced to a temp file first; then, without
// yielding to the event loop (no await, so nothing else of ours runs in between), the file is read
// again and renamed over only if it is still what the change was based on and no writer of the CLI's
// shape (`<name>.tmp.<pid>`, recent) is half-way through its own write-then-rename. What remains is
// the few microseconds between that check and the rename syscall; nothing short of the CLI taking a
// lock can close them.
import { promises as fsp, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { syncDir } from '../fs/atomic.js';

/** A temp file of another writer older than this is a leftover of a crash, not a write in progress. */
const LIVE_TEMP_MS = 5_000;

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Another process's `<name>.tmp.<pid>` written in the last few seconds: its rename is imminent. */
function otherWriterBusy(file: string, ownTemp: string): boolean {
  const prefix = `${basename(file)}.tmp.`;
  const dir = dirname(file);
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || name === basename(ownTemp)) continue;
    try {
      if (Date.now() - statSync(join(dir, name)).mtimeMs < LIVE_TEMP_MS) return true;
    } catch {
      // Renamed away while we looked: that write has landed, and the content check sees it.
    }
  }
  return false;
}

export interface ReplaceOptions {
  /** The temp file to write (the CLI's own naming: `<name>.tmp.<pid>`). */
  tempPath: string;
  /** Test hook: runs after the temp file is synced, just before the check (simulates another writer). */
  beforeCheck?: () => Promise<void> | void;
}

/**
 * Writes `text` to `file` only if `file` still holds `expected` (null: does not exist). Returns false,
 * writing nothing, when it changed or another writer is mid-write: read again and retry.
 */
export async function replaceIfUnchanged(
  file: string,
  expected: string | null,
  text: string,
  options: ReplaceOptions,
): Promise<boolean> {
  const temp = options.tempPath;
  await fsp.rm(temp, { force: true });
  const handle = await fsp.open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await options.beforeCheck?.();
    // From here to the rename: synchronous on purpose.
    if (otherWriterBusy(file, temp) || readOrNull(file) !== expected) {
      rmSync(temp, { force: true });
      return false;
    }
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  await syncDir(dirname(file));
  return true;
}
