// What the app keeps about each plugins.toml entry in its OWN file, because the fledge CLI rewrites
// plugins.toml without the keys it does not know (so nothing the app depends on may live there):
//   <config>/fledge-desktop/registry.json  { "<name>": { seen, desktopGrants } }
// - `seen`: the fingerprint of the entry as the app last wrote or approved it. An entry with no record
//   was installed by someone else (the fledge CLI); one whose fingerprint differs was changed by it.
// - `desktopGrants`: the grants only this app has (clock, random). They apply only while the entry is
//   exactly as seen: a plugin the CLI reinstalled or changed starts without them.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { nodeCrypto } from '../../sandbox/lazy-crypto.js';
import { withFileLock, writeFileAtomic } from '../fs/atomic.js';

export interface DesktopGrants {
  clock: boolean;
  random: boolean;
}

export interface AppEntry {
  seen: string;
  desktopGrants: DesktopGrants;
}

export type AppRegistry = Record<string, AppEntry>;

/** How the app's record relates to an entry of plugins.toml. */
export type SeenState =
  /** The app wrote or approved the entry exactly as it is. */
  | 'as-seen'
  /** The app never wrote or approved it: installed by the fledge CLI (or by hand). */
  | 'installed-elsewhere'
  /** The app knew it, but the entry changed since (reinstalled, updated or re-granted by the CLI). */
  | 'changed-elsewhere';

/** The fields of an entry the fledge CLI reads and writes, as they bear on what runs and with what. */
export interface EntryFields {
  name: string;
  source: string;
  version: string;
  installed: string;
  commands: string[];
  pinned_ref?: string;
  runtime?: string;
  capabilities?: { exec: boolean; store: boolean; metadata: boolean; filesystem: string; network: boolean };
}

export function fingerprint(entry: EntryFields): string {
  const caps = entry.capabilities;
  const canonical = JSON.stringify([
    entry.name,
    entry.source,
    entry.version,
    entry.installed,
    entry.commands,
    entry.pinned_ref ?? null,
    entry.runtime ?? null,
    caps ? [caps.exec, caps.store, caps.metadata, caps.filesystem, caps.network] : null,
  ]);
  return nodeCrypto().createHash('sha256').update(canonical).digest('hex');
}

export function appRegistryFile(registryFile: string): string {
  return join(dirname(registryFile), 'fledge-desktop', 'registry.json');
}

export function seenState(app: AppRegistry, entry: EntryFields): SeenState {
  const rec = app[entry.name];
  if (!rec) return 'installed-elsewhere';
  return rec.seen === fingerprint(entry) ? 'as-seen' : 'changed-elsewhere';
}

/** Reads the app's records; a missing or damaged file means "nothing seen" (every entry is reviewed). */
export async function readAppRegistry(registryFile: string): Promise<AppRegistry> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(appRegistryFile(registryFile), 'utf8'));
  } catch {
    return Object.create(null) as AppRegistry;
  }
  const out = Object.create(null) as AppRegistry;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return out;
  for (const [name, raw] of Object.entries(data as Record<string, unknown>)) {
    const r = raw as Partial<AppEntry> | null;
    if (typeof r?.seen !== 'string' || !/^[0-9a-f]{64}$/.test(r.seen)) continue;
    const g = (r.desktopGrants ?? {}) as Partial<DesktopGrants>;
    out[name] = { seen: r.seen, desktopGrants: { clock: g.clock === true, random: g.random === true } };
  }
  return out;
}

export async function updateAppRegistry(
  registryFile: string,
  change: (app: AppRegistry) => void,
): Promise<void> {
  const file = appRegistryFile(registryFile);
  await mkdir(dirname(file), { recursive: true });
  await withFileLock(`${file}.lock`, async () => {
    const app = await readAppRegistry(registryFile);
    change(app);
    await writeFileAtomic(file, `${JSON.stringify(app, null, 2)}\n`);
  });
}
