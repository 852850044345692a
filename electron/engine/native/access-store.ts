// The person's choice to let a native plugin that breaks under containment run with full access:
// per plugin, recorded like a grant, in the app's own file (<config>/fledge-desktop/native-access.json;
// the fledge CLI never contains plugins, so plugins.toml has no place for it). The choice is bound to
// the plugin's binaries as they were when it was made: a changed program is contained again.
import { hashWasmBinaries } from '../consent/consent-store.js';
import { HostError } from '../host/errors.js';
import { loadManifest } from '../manifest/load-manifest.js';
import { appFile, readJsonObject, updateJsonFile } from './app-json-file.js';

export interface FullAccessRecord {
  /** binary path (as in plugin.toml) -> SHA-256 when full access was allowed. */
  binaries: Record<string, string>;
  grantedAt: string;
}

export function nativeAccessFile(configDir: string): string {
  return appFile(configDir, 'native-access.json');
}

function parse(data: Record<string, unknown>): Record<string, FullAccessRecord> {
  const out: Record<string, FullAccessRecord> = {};
  for (const [name, rec] of Object.entries(data)) {
    const r = rec as Partial<FullAccessRecord>;
    if (typeof r?.grantedAt !== 'string' || typeof r.binaries !== 'object' || r.binaries === null) continue;
    const binaries: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.binaries))
      if (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)) binaries[k] = v;
    if (Object.keys(binaries).length > 0) out[name] = { binaries, grantedAt: r.grantedAt };
  }
  return out;
}

export async function readFullAccess(configDir: string): Promise<Record<string, FullAccessRecord>> {
  return parse(await readJsonObject(nativeAccessFile(configDir)));
}

function update(configDir: string, change: (data: Record<string, FullAccessRecord>) => void): Promise<void> {
  return updateJsonFile(nativeAccessFile(configDir), parse, change);
}

/** Lets the installed native plugin in `pluginDir` run with full access, as its binaries are now. */
export async function allowFullAccess(configDir: string, name: string, pluginDir: string): Promise<void> {
  const report = await loadManifest(pluginDir);
  if (!report.manifest) throw new HostError('plugin_invalid', `"${name}" has no valid plugin.toml`);
  if (report.manifest.runtime !== 'native')
    throw new HostError('grant_not_native', `"${name}" is a WASM plugin: it always runs in the sandbox`);
  const binaries = await hashWasmBinaries(pluginDir, report.manifest);
  if (Object.keys(binaries).length === 0)
    throw new HostError('grant_not_built', `"${name}" has no built program to allow full access to`);
  await update(configDir, (data) => {
    data[name] = { binaries, grantedAt: new Date().toISOString() };
  });
}

export async function withdrawFullAccess(configDir: string, name: string): Promise<void> {
  await update(configDir, (data) => {
    delete data[name];
  });
}

/** Whether the person allowed this plugin full access, and its binaries are still the ones they saw. */
export async function hasFullAccess(configDir: string, name: string, pluginDir: string): Promise<boolean> {
  const record = (await readFullAccess(configDir))[name];
  if (!record) return false;
  const report = await loadManifest(pluginDir);
  if (!report.manifest) return false;
  const now = await hashWasmBinaries(pluginDir, report.manifest);
  const paths = Object.keys(now);
  return paths.length > 0 && paths.every((p) => record.binaries[p] === now[p]);
}
