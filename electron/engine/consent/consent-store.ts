// What the person approved, beyond what plugins.toml can hold: the SHA-256 of every wasm binary at
// the moment of consent. Kept in the app's own file under the config dir (the fledge CLI rewrites
// plugins.toml and would drop fields it does not know).
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { PluginManifest } from '../../../shared/manifest/types.js';
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
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
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
      out[command.binary] = await sha256File(resolve(pluginDir, command.binary));
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
