// What the person approved, beyond what plugins.toml can hold: the SHA-256 of every wasm binary at
// the moment of consent. Kept in the app's own file under the config dir (the fledge CLI rewrites
// plugins.toml and would drop fields it does not know).
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { PluginManifest } from '../../../shared/manifest/types.js';
import { nodeCrypto } from '../../sandbox/lazy-crypto.js';
import { binaryStatus, stampedSourceHash } from '../../sandbox/prepare/cache.js';
import { withFileLock, writeFileAtomic } from '../fs/atomic.js';

export interface ConsentRecord {
  /** binary path (as in plugin.toml) -> SHA-256 hex of the file when it was approved. */
  wasm: Record<string, string>;
  approvedAt: string;
}

export type ConsentFile = Record<string, ConsentRecord>;

export function consentFilePath(configDir: string): string {
  return join(configDir, 'fledge-desktop', 'consent.json');
}

export async function readConsent(configDir: string): Promise<ConsentFile> {
  const file = consentFilePath(configDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // A damaged consent file withdraws every approval: plugins must be approved again. Never trust it.
    return {};
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
  const out: ConsentFile = {};
  for (const [name, rec] of Object.entries(data as Record<string, unknown>)) {
    const r = rec as Partial<ConsentRecord>;
    if (typeof r?.approvedAt !== 'string' || typeof r.wasm !== 'object' || r.wasm === null) continue;
    const wasm: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.wasm))
      if (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)) wasm[k] = v;
    out[name] = { wasm, approvedAt: r.approvedAt };
  }
  return out;
}

/** Read-modify-write of the consent file under a lock. */
export async function updateConsent(configDir: string, change: (data: ConsentFile) => void): Promise<void> {
  const file = consentFilePath(configDir);
  await mkdir(dirname(file), { recursive: true });
  await withFileLock(`${file}.lock`, async () => {
    const data = await readConsent(configDir);
    change(data);
    await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
  });
}

export async function sha256File(path: string): Promise<string> {
  return nodeCrypto()
    .createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/**
 * Binaries hashed before, by path, with the file status they had (binaryStatus: device, inode, size,
 * times, taken once the file has been still for 2 s). The plugin list and every run check each binary
 * against its approval: ruby.wasm's 30 MB cost 40 ms of this thread to hash each time. A wasm binary
 * whose prepared copy's stamp recorded its status is not hashed either (stampedSourceHash): in the
 * CLI, which runs once per process, too. A binary rewritten with its status kept (only root can set a
 * change time back), or a forged stamp, passes this check, never the one that matters: a wasm run is
 * only of the prepared copy that the approved hash authenticates (prepare/cache.ts), and a native
 * binary is hashed again as it is launched (native/launch.ts).
 */
const hashed = new Map<string, { status: string; sha256: string }>();
const MAX_HASHED = 4096;

/** sha256File (or `hash`), remembered while the file's status stays the same. */
export async function binarySha256(path: string, hash = sha256File): Promise<string> {
  const status = binaryStatus(path);
  const seen = status === undefined ? undefined : hashed.get(path);
  if (seen && seen.status === status) return seen.sha256;
  const stamped = stampedSourceHash(path);
  if (stamped !== undefined) return stamped;
  const sha256 = await hash(path);
  // Remembered only when the status held across the read: the bytes hashed are the ones it names.
  if (status !== undefined && binaryStatus(path) === status) {
    if (hashed.size >= MAX_HASHED) hashed.clear();
    hashed.set(path, { status, sha256 });
  } else hashed.delete(path);
  return sha256;
}

/**
 * SHA-256 of every command binary of a plugin, wasm or native (missing files are left out): a native
 * binary is pinned like a wasm, so a changed program is not run until approved again.
 */
export async function hashWasmBinaries(
  pluginDir: string,
  manifest: PluginManifest,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const command of manifest.commands) {
    if (command.binary in out) continue;
    try {
      out[command.binary] = await binarySha256(resolve(pluginDir, command.binary));
    } catch {
      // not built yet: nothing to pin
    }
  }
  return out;
}

/** Reasons the plugin must be approved again before it runs; empty when the approval still holds. */
export async function consentProblems(
  pluginDir: string,
  manifest: PluginManifest,
  record: ConsentRecord | undefined,
): Promise<string[]> {
  if (!record) return [`${manifest.name} has no recorded approval; approve it before running`];
  const now = await hashWasmBinaries(pluginDir, manifest);
  const problems: string[] = [];
  for (const [binary, hash] of Object.entries(now)) {
    const approved = record.wasm[binary];
    if (approved === undefined) problems.push(`${binary} was not part of what you approved`);
    else if (approved !== hash) problems.push(`${binary} changed on disk after you approved it`);
  }
  return problems;
}
